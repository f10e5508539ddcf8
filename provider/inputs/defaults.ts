/**
 * Where a set's jobs live when its inputs leave it open: project, region and endpoint from the stack config, then
 * the environment, then each service's public endpoint. Read per call (`DefaultsSource`), never stored.
 */
import type { z } from "zod";
import { setting, settingLabel, settingSource, type SettingName } from "../config";
import { endpointUrl } from "./fields";

/** Where defaults come from: the stack config seen by the provider, then its environment. */
export interface DefaultsSource {
  config(key: string): string | undefined;
  env: Record<string, string | undefined>;
}

export const emptyDefaults: DefaultsSource = { config: () => undefined, env: {} };

/** A setting (stack config, then environment): the defaults of where a set's jobs live. */
function defaultOf(defaults: DefaultsSource, name: SettingName): string | undefined {
  return setting(name, defaults.config, defaults.env);
}

/** Huawei's domain suffix; `jobsets:cloud` / `HW_CLOUD` overrides it as `HW_CLOUD` does for the Terraform provider. */
function huaweiDomain(defaults: DefaultsSource, region: string): string {
  const cloud = defaultOf(defaults, "cloud");
  if (cloud) return cloud;
  // eu-west-101 is served from the European domain (docs/apis.md, "Huawei Cloud endpoints").
  return region === "eu-west-101" ? "myhuaweicloud.eu" : "myhuaweicloud.com";
}

/** `https://dli.{region}.myhuaweicloud.com` unless `jobsets:dliEndpoint` / `JOBSETS_DLI_ENDPOINT` replaces the default. */
export function defaultDliEndpoint(defaults: DefaultsSource, region: string | undefined): string | undefined {
  const override = defaultOf(defaults, "dliEndpoint");
  if (override) return override;
  return region ? `https://dli.${region}.${huaweiDomain(defaults, region)}` : undefined;
}

/** MRS regions served from the `.myhuaweicloud.cn` domain (docs/apis.md, "Huawei Cloud endpoints"). */
const MRS_CN_DOMAIN_REGIONS = new Set(["ap-southeast-1", "ru-northwest-2", "ap-southeast-4"]);

/**
 * `https://mrs.{region}.myhuaweicloud.com` (`.cn` for ap-southeast-1, ru-northwest-2 and ap-southeast-4,
 * `.eu` for eu-west-101; `jobsets:cloud` / `HW_CLOUD` replaces the domain as for DLI) unless `jobsets:mrsEndpoint` /
 * `JOBSETS_MRS_ENDPOINT` replaces the default.
 */
export function defaultMrsEndpoint(defaults: DefaultsSource, region: string | undefined): string | undefined {
  const override = defaultOf(defaults, "mrsEndpoint");
  if (override) return override;
  if (!region) return undefined;
  const domain = defaultOf(defaults, "cloud") ?? (MRS_CN_DOMAIN_REGIONS.has(region) ? "myhuaweicloud.cn" : huaweiDomain(defaults, region));
  return `https://mrs.${region}.${domain}`;
}

/** EHPC's API host. Some of QingCloud's pages name another host (docs/apis.md, "QingCloud EHPC"), hence `endpoint`. */
export const DEFAULT_EHPC_ENDPOINT = "https://hpc.api.qingcloud.com";

/** `https://hpc.api.qingcloud.com` unless `jobsets:ehpcEndpoint` / `JOBSETS_EHPC_ENDPOINT` replaces the default. */
export function defaultEhpcEndpoint(defaults: DefaultsSource): string {
  return defaultOf(defaults, "ehpcEndpoint") ?? DEFAULT_EHPC_ENDPOINT;
}

/**
 * A default endpoint is validated like one passed as an input; a bad one is reported at `endpoint`, naming where
 * it came from (`jobsets:dliEndpoint`, `JOBSETS_DLI_ENDPOINT`, or the domain in `jobsets:cloud` / `HW_CLOUD`).
 */
export function normaliseDefaultEndpoint(value: string | undefined, defaults: DefaultsSource, name: SettingName, ctx: z.RefinementCtx): string | undefined {
  if (value === undefined) return undefined;
  const parsed = endpointUrl.safeParse(value);
  if (parsed.success) return parsed.data;
  const from = settingSource(name, defaults.config, defaults.env) ?? settingLabel("cloud");
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: "custom", path: ["endpoint"], message: `from ${from}: ${issue.message}` });
  }
  return undefined;
}

/** A Huawei service as its location defaults need it: its name for messages, its endpoint setting and default. */
export interface HuaweiService {
  name: string;
  setting: SettingName;
  defaultEndpoint(defaults: DefaultsSource, region: string | undefined): string | undefined;
}

export const DLI: HuaweiService = { name: "DLI", setting: "dliEndpoint", defaultEndpoint: defaultDliEndpoint };
export const MRS: HuaweiService = { name: "MRS", setting: "mrsEndpoint", defaultEndpoint: defaultMrsEndpoint };

/**
 * Where a Huawei set's jobs live: project and region from the inputs, then the config, then the
 * environment; the endpoint from the inputs or the service's default. Missing ones become issues. A bad
 * endpoint from the environment is reported at `endpoint` only, not also as a missing region.
 */
export function huaweiLocation(
  defaults: DefaultsSource,
  args: { projectId?: string; region?: string; endpoint?: string },
  ctx: z.RefinementCtx,
  service: HuaweiService,
) {
  const projectId = args.projectId ?? defaultOf(defaults, "projectId");
  const region = args.region ?? defaultOf(defaults, "region");
  const defaultEndpoint = args.endpoint === undefined ? service.defaultEndpoint(defaults, region) : undefined;
  const endpoint = args.endpoint ?? normaliseDefaultEndpoint(defaultEndpoint, defaults, service.setting, ctx);
  if (!projectId) {
    ctx.addIssue({
      code: "custom",
      path: ["projectId"],
      message: `required: pass projectId, or set ${settingLabel("projectId")}`,
    });
  }
  if (!endpoint && defaultEndpoint === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["region"],
      message: `required to find the ${service.name} endpoint: pass region (or endpoint), or set ${settingLabel("region")} or ${settingLabel(service.setting)}`,
    });
  }
  return { projectId, region, endpoint };
}
