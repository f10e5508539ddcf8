/**
 * Where Huawei Cloud credentials come from (`provider/auth/credentials.ts`): the first complete source in
 * a fixed order wins, a half-set pair is an error naming what is missing, and no secret ever appears in
 * an error.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_IAM_ENDPOINT, resolveHuaweiAuth, type Env } from "../provider/auth/credentials";
import { CredentialsError } from "../provider/errors";
import { thrownBy } from "./helpers/thrown";

/** Distinct, recognisable secret values, so a leak into any message is caught. */
const SECRET = {
  configAk: "CFGAK0000EXAMPLE",
  configSk: "cfg-sk-Zm9vYmFyYmF6cXV4",
  configSecurityToken: "cfg-sts-token-AAAA",
  configToken: "cfg-x-auth-token-MIIZ",
  envAk: "ENVAK1111EXAMPLE",
  envSk: "env-sk-cXV1eGJhemJhcg",
  envSecurityToken: "env-sts-token-BBBB",
  osAk: "OSAK2222EXAMPLE",
  osSk: "os-sk-b3NzZWNyZXQ",
  envToken: "env-x-auth-token-MIIY",
  userName: "deploy-bot-user",
  password: "P@ssw0rd-very-secret",
  domainName: "acme-domain",
};
const ALL_SECRETS = [
  SECRET.configAk,
  SECRET.configSk,
  SECRET.configSecurityToken,
  SECRET.configToken,
  SECRET.envAk,
  SECRET.envSk,
  SECRET.envSecurityToken,
  SECRET.osAk,
  SECRET.osSk,
  SECRET.envToken,
  SECRET.password,
];

/** A config reader over a map of `jobsets:*` keys. */
function config(values: Record<string, string> = {}) {
  return (key: string) => values[key];
}

const configAkSk = { "jobsets:accessKey": SECRET.configAk, "jobsets:secretKey": SECRET.configSk };
const configToken = { "jobsets:authToken": SECRET.configToken };
const envAkSk: Env = { HW_ACCESS_KEY: SECRET.envAk, HW_SECRET_KEY: SECRET.envSk };
const envOsAkSk: Env = { OS_ACCESS_KEY: SECRET.osAk, OS_SECRET_KEY: SECRET.osSk };
const envToken: Env = { HW_AUTH_TOKEN: SECRET.envToken };
const envPassword: Env = { HW_USER_NAME: SECRET.userName, HW_USER_PASSWORD: SECRET.password, HW_DOMAIN_NAME: SECRET.domainName };

/** The error `run` throws, which must be a CredentialsError. */
const credentialsErrorFrom = (run: () => unknown) => thrownBy(run, CredentialsError);

/** Everything about an error a user or a log could see. */
function visibleText(error: CredentialsError): string {
  return [error.message, String(error), error.stack, JSON.stringify(error), error.property, String(error.body ?? "")].join("\n");
}

function expectNoSecrets(error: CredentialsError) {
  const text = visibleText(error);
  for (const secret of ALL_SECRETS) expect(text, `leaks ${secret}`).not.toContain(secret);
}

describe("precedence: the first complete source wins", () => {
  const rows: Array<[scenario: string, config: Record<string, string>, env: Env, expected: object]> = [
    [
      "config AK/SK over everything",
      { ...configAkSk, ...configToken },
      { ...envAkSk, ...envToken, ...envPassword },
      { kind: "aksk", accessKey: SECRET.configAk, secretKey: SECRET.configSk, source: "stack config" },
    ],
    [
      "config AK/SK with its security token",
      { ...configAkSk, "jobsets:securityToken": SECRET.configSecurityToken },
      { HW_SECURITY_TOKEN: SECRET.envSecurityToken },
      { kind: "aksk", accessKey: SECRET.configAk, securityToken: SECRET.configSecurityToken, source: "stack config" },
    ],
    ["config token over env AK/SK", configToken, { ...envAkSk, ...envToken, ...envPassword }, { kind: "token", token: SECRET.configToken, source: "stack config" }],
    [
      "env AK/SK over env token and password",
      {},
      { ...envAkSk, ...envToken, ...envPassword },
      { kind: "aksk", accessKey: SECRET.envAk, secretKey: SECRET.envSk, source: "environment" },
    ],
    [
      "env AK/SK with HW_SECURITY_TOKEN",
      {},
      { ...envAkSk, HW_SECURITY_TOKEN: SECRET.envSecurityToken },
      { kind: "aksk", accessKey: SECRET.envAk, secretKey: SECRET.envSk, securityToken: SECRET.envSecurityToken, source: "environment" },
    ],
    ["OS_* aliases", {}, { ...envOsAkSk, ...envToken }, { kind: "aksk", accessKey: SECRET.osAk, secretKey: SECRET.osSk, source: "environment" }],
    ["HW_* over OS_*", {}, { ...envOsAkSk, ...envAkSk }, { kind: "aksk", accessKey: SECRET.envAk, secretKey: SECRET.envSk }],
    ["an alias completes a pair", {}, { HW_ACCESS_KEY: SECRET.envAk, OS_SECRET_KEY: SECRET.osSk }, { kind: "aksk", accessKey: SECRET.envAk, secretKey: SECRET.osSk }],
    ["env token over password", {}, { ...envToken, ...envPassword }, { kind: "token", token: SECRET.envToken, source: "environment" }],
    [
      "env user/password last",
      {},
      envPassword,
      {
        kind: "password",
        userName: SECRET.userName,
        password: SECRET.password,
        domainName: SECRET.domainName,
        iamEndpoint: DEFAULT_IAM_ENDPOINT,
        source: "environment",
      },
    ],
    ["blank config values are unset", { "jobsets:accessKey": "  ", "jobsets:secretKey": "", "jobsets:authToken": " " }, envToken, { kind: "token", token: SECRET.envToken }],
    ["values are trimmed", {}, { HW_ACCESS_KEY: ` ${SECRET.envAk}\n`, HW_SECRET_KEY: `${SECRET.envSk} ` }, { accessKey: SECRET.envAk, secretKey: SECRET.envSk }],
  ];
  it.each(rows)("%s", (_scenario, configValues, env, expected) => {
    expect(resolveHuaweiAuth(config(configValues), env)).toMatchObject(expected);
  });

  it("config AK/SK does not pick up the environment's security token", () => {
    expect(resolveHuaweiAuth(config(configAkSk), { HW_SECURITY_TOKEN: SECRET.envSecurityToken })).not.toHaveProperty("securityToken");
  });

  it("a token source carries no AK/SK and vice versa", () => {
    expect(Object.keys(resolveHuaweiAuth(config(configToken), {})).sort()).toEqual(["kind", "source", "token"]);
    expect(Object.keys(resolveHuaweiAuth(config(), envAkSk)).sort()).toEqual(["accessKey", "kind", "secretKey", "source"]);
  });
});

describe("IAM endpoint for password login", () => {
  it.each([
    ["default", {}, DEFAULT_IAM_ENDPOINT],
    ["HW_AUTH_URL", { HW_AUTH_URL: "https://iam.cn-north-4.myhuaweicloud.com:443/v3" }, "https://iam.cn-north-4.myhuaweicloud.com:443/v3"],
    ["JOBSETS_IAM_ENDPOINT", { JOBSETS_IAM_ENDPOINT: "http://127.0.0.1:4020" }, "http://127.0.0.1:4020"],
    ["JOBSETS_IAM_ENDPOINT over HW_AUTH_URL", { JOBSETS_IAM_ENDPOINT: "http://127.0.0.1:4020", HW_AUTH_URL: "https://iam.example.com/v3" }, "http://127.0.0.1:4020"],
    ["blank JOBSETS_IAM_ENDPOINT is unset", { JOBSETS_IAM_ENDPOINT: " ", HW_AUTH_URL: "https://iam.example.com/v3" }, "https://iam.example.com/v3"],
  ])("%s", (_scenario, extra: Env, iamEndpoint) => {
    expect(resolveHuaweiAuth(config(), { ...envPassword, ...extra })).toMatchObject({ kind: "password", iamEndpoint });
  });
});

describe("half-set pairs are errors naming what is missing", () => {
  const rows: Array<[scenario: string, config: Record<string, string>, env: Env, missing: string[], property: string]> = [
    ["config accessKey without secretKey", { "jobsets:accessKey": SECRET.configAk }, envAkSk, ["jobsets:secretKey"], "jobsets:secretKey"],
    ["config secretKey without accessKey", { "jobsets:secretKey": SECRET.configSk }, envAkSk, ["jobsets:accessKey"], "jobsets:accessKey"],
    ["config half pair beats a config token", { "jobsets:accessKey": SECRET.configAk, ...configToken }, {}, ["jobsets:secretKey"], "jobsets:secretKey"],
    ["HW_ACCESS_KEY without HW_SECRET_KEY", {}, { HW_ACCESS_KEY: SECRET.envAk, ...envToken }, ["HW_SECRET_KEY"], "HW_SECRET_KEY"],
    ["HW_SECRET_KEY without HW_ACCESS_KEY", {}, { HW_SECRET_KEY: SECRET.envSk, ...envPassword }, ["HW_ACCESS_KEY"], "HW_ACCESS_KEY"],
    ["OS_ACCESS_KEY without a secret key", {}, { OS_ACCESS_KEY: SECRET.osAk }, ["HW_SECRET_KEY"], "HW_SECRET_KEY"],
    ["OS_SECRET_KEY without an access key", {}, { OS_SECRET_KEY: SECRET.osSk }, ["HW_ACCESS_KEY"], "HW_ACCESS_KEY"],
    ["user without password and domain", {}, { HW_USER_NAME: SECRET.userName }, ["HW_USER_PASSWORD", "HW_DOMAIN_NAME"], "HW_USER_PASSWORD"],
    ["password without user and domain", {}, { HW_USER_PASSWORD: SECRET.password }, ["HW_USER_NAME", "HW_DOMAIN_NAME"], "HW_USER_NAME"],
    [
      "user and password without domain",
      {},
      { HW_USER_NAME: SECRET.userName, HW_USER_PASSWORD: SECRET.password },
      ["HW_DOMAIN_NAME"],
      "HW_DOMAIN_NAME",
    ],
  ];
  it.each(rows)("%s", (_scenario, configValues, env, missing, property) => {
    const error = credentialsErrorFrom(() => resolveHuaweiAuth(config(configValues), env));
    for (const name of missing) expect(error.message).toContain(name);
    expect(error.property).toBe(property);
    expect(error.code).toBe("JOBSET_ERR_CREDENTIALS");
    expectNoSecrets(error);
  });
});

describe("no credentials at all", () => {
  it.each([
    ["nothing set", {}, {}],
    ["only blanks", { "jobsets:authToken": "" }, { HW_ACCESS_KEY: " ", HW_AUTH_TOKEN: "" }],
    ["a domain name alone", {}, { HW_DOMAIN_NAME: SECRET.domainName }],
    ["a security token alone", { "jobsets:securityToken": SECRET.configSecurityToken }, { HW_SECURITY_TOKEN: SECRET.envSecurityToken }],
  ])("%s: the error names every option", (_scenario, configValues: Record<string, string>, env: Env) => {
    const error = credentialsErrorFrom(() => resolveHuaweiAuth(config(configValues), env));
    for (const option of [
      "jobsets:accessKey",
      "jobsets:secretKey",
      "jobsets:authToken",
      "HW_ACCESS_KEY",
      "HW_SECRET_KEY",
      "HW_SECURITY_TOKEN",
      "HW_AUTH_TOKEN",
      "HW_USER_NAME",
      "HW_USER_PASSWORD",
      "HW_DOMAIN_NAME",
    ]) {
      expect(error.message).toContain(option);
    }
    expect(error.message).toMatch(/--secret/);
    expectNoSecrets(error);
  });
});
