/**
 * The provider object Pulumi serializes into state (twice per resource). It must stay tiny and capture
 * nothing but the type name: each method `require`s the installed implementation when it runs, so a
 * destroy of an old stack runs today's code, and no library, schema or credential is copied into state.
 * A `require` written inside a function body is kept as text by Pulumi's closure serializer and resolved
 * from the program's directory at run time.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** Builds the provider for one job set type; the SDK makes one per type so Pulumi serializes it once. */
export function providerFor(t: string): dynamic.ResourceProvider {
  // One forwarding function shared by every method. The one-letter names (and the package's `./d` entry
  // point, which is provider/dynamic.ts) are deliberate: the serializer repeats them in the stored text,
  // and that text is stored twice per resource (target: under 2 KiB).
  const f = (m: string, a: unknown[]) => require("pulumi-jobsets/d")[m](t, ...a);
  return {
    configure: (...a) => f("configure", a),
    check: (...a) => f("check", a),
    diff: (...a) => f("diff", a),
    create: (...a) => f("create", a),
    read: (...a) => f("read", a),
    update: (...a) => f("update", a),
    delete: (...a) => f("remove", a),
  };
}
