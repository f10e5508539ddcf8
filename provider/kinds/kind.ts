/**
 * What a kind of job set is, as data the lifecycle reads: its names, which inputs list its members and say where
 * they live, its schema, and the calls that verify, tear down and read its jobs. One file per kind beside this one
 * fills it in; `index.ts` is the registry.
 */
import type { z } from "zod";
import { resolveHuaweiAuth, resolveQingCloudAuth } from "../auth/credentials";
import type { HttpClient } from "../clients/http";
import type { RequestBudget } from "../clients/rate-limit";
import { huaweiAuthorizer } from "../clients/huawei-iam";
import { ehpcAuthorizer, type EhpcContext } from "../clients/qingcloud-ehpc";
import type { DliContext } from "../clients/huawei-dli";
import type { DefaultsSource } from "../inputs/defaults";
import type { JobSelector } from "../inputs/selector";
import type { Runtime } from "../resources/teardown";
import type { Services } from "../services";

export interface JobSetKind<State extends object, Ctx> {
  /** The type token's last part: `pulumi-nodejs:dynamic/jobsets:<type>`. */
  type: string;
  /** The service's name in progress lines and errors (`dli-flink: 3 jobs torn down`). */
  service: string;
  /** First segment of the set's ID: `dli-flink/<projectId>/…`. Part of stored IDs: never change it. */
  idPrefix: string;
  /** Its inputs, in the order messages list them: the keys of its zod shape. */
  knownProperties: readonly string[];
  /** The input that lists the set's members: `jobIds`, or `batchIds` for DLI Spark. */
  idsProperty: keyof State & string;
  /** The inputs that say where the jobs live, as the ID spells them (`<a>/<b>`): see `importInputs`. */
  location: readonly (keyof State & string)[];
  /**
   * Inputs whose change moves the set somewhere else (the same job IDs name other jobs there): the set is
   * replaced, the new jobs verified and adopted, then the old ones torn down. The endpoint is not among them: it
   * is only the way to the same place, and a change of it (explicit, or the default from another environment)
   * is an update that records it and tears nothing down.
   */
  replaceProperties: readonly (keyof State & string)[];
  /** Its inputs' zod schema, built with the defaults (stack config, environment). */
  schema(defaults: DefaultsSource): z.ZodType<State, unknown>;
  /**
   * What its calls run with. Credentials are read here, when a call is about to be made (never at check), so a
   * bad or missing key fails before any request is sent.
   */
  runtime(services: Services, state: State): Runtime<Ctx>;
  /** create and adoption: every ID must name an existing job where the set lives. */
  verify(runtime: Runtime<Ctx>, state: State, ids: string[]): Promise<unknown>;
  /** Tears down `ids` with the set's teardown mode; PartialTeardownError names what it could not. */
  teardown(runtime: Runtime<Ctx>, state: State, ids: string[]): Promise<unknown>;
  /** The members that exist now, with their status (one pass of list or state calls). */
  statuses(runtime: Runtime<Ctx>, ids: string[]): Promise<Map<string, string>>;
  /** The jobs the set's selector holds now, with their status: the whole filtered list where the set lives (resources/selection.ts). */
  select(runtime: Runtime<Ctx>, selector: JobSelector): Promise<Map<string, string>>;
}

/** The keys of a zod object shape, in order: a kind's `knownProperties`. */
export function propertiesOf(shape: object): readonly string[] {
  return Object.keys(shape);
}

/** A snapshot's members as `statuses` returns them: ID → status. */
export function statusesOf<T>(found: Map<string, T>, statusOf: (item: T) => string): Map<string, string> {
  return new Map([...found].map(([id, item]) => [id, statusOf(item)]));
}

/**
 * What every kind's calls run with: `ctx` plus the shared HTTP client and a budget for request-rate waits. The budget
 * ends after the set's waitTimeoutSeconds from now (an EHPC ceiling can otherwise hold a call for most of an hour),
 * and each wait is told to the set's progress with its end time.
 */
function runtimeWith<Ctx extends object>(services: Services, state: { waitTimeoutSeconds: number }, ctx: Ctx): Runtime<Ctx & { http: HttpClient; budget: RequestBudget }> {
  const budget: RequestBudget = { deadline: Date.now() + state.waitTimeoutSeconds * 1000, onWait: (message) => services.progress.log(message) };
  return { ctx: { ...ctx, http: services.http, budget }, progress: services.progress, concurrency: services.concurrency };
}

/** Where a Huawei set's calls go and how they are authenticated: the same for DLI Flink, DLI Spark and MRS. */
export function huaweiRuntime(services: Services, state: { endpoint: string; projectId: string; waitTimeoutSeconds: number }): Runtime<DliContext> {
  const auth = resolveHuaweiAuth(services.config, services.env);
  return runtimeWith(services, state, {
    endpoint: state.endpoint,
    projectId: state.projectId,
    authorizer: huaweiAuthorizer(services.http, auth, state.projectId),
  });
}

/** Where an EHPC set's calls go, signed with the QingCloud access key. */
export function qingcloudRuntime(services: Services, state: { endpoint: string; zone: string; clusterId: string; waitTimeoutSeconds: number }): Runtime<EhpcContext> {
  const { accessKeyId, secretAccessKey } = resolveQingCloudAuth(services.config, services.env);
  return runtimeWith(services, state, {
    endpoint: state.endpoint,
    zone: state.zone,
    clusterId: state.clusterId,
    authorizer: ehpcAuthorizer(services.http, { accessKeyId, secretAccessKey }),
  });
}
