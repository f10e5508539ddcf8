// The gRPC and protobuf modules the harness talks to the provider host, a plugin and a policy pack with: the very
// copies the installed @pulumi/pulumi resolves, since a second copy of google-protobuf breaks the generated
// messages ("c.g is not a function").
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structprotoTypes from "google-protobuf/google/protobuf/struct_pb";

/** Directory of the installed @pulumi/pulumi (the one the repo root resolves). */
export const PULUMI_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** `require(request)` as @pulumi/pulumi resolves it. */
export const fromPulumi = (request: string): unknown => require(require.resolve(request, { paths: [PULUMI_DIR] }));

/** One of @pulumi/pulumi's generated modules, `proto/<name>` (`provider_pb`, `analyzer_grpc_pb`, …). */
export const pulumiProto = (name: string): unknown => require(path.join(PULUMI_DIR, "proto", name));

export const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structprotoTypes;

/** `google.protobuf.Empty`, for the calls that take no request. */
export function emptyMessage(): unknown {
  const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
  return new emptyproto.Empty();
}

/** A property bag as plain JSON-like data (what `Struct.toJavaScript()` gives). */
export type Props = Record<string, unknown>;

/** Plain JS → google.protobuf.Struct. `undefined` is dropped (Struct has no such value), as JSON would. */
export function toStruct(props: Props): structprotoTypes.Struct {
  return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(props ?? {})));
}

/** google.protobuf.Struct → plain JS; an absent Struct is an empty bag. */
export function fromStruct(struct: structprotoTypes.Struct | undefined): Props {
  return struct ? (struct.toJavaScript() as Props) : {};
}
