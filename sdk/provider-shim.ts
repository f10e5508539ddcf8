/**
 * The provider object Pulumi serializes into state (twice per resource). It must stay tiny and capture
 * nothing but the type name: each method `require`s the installed implementation when it runs, so a
 * destroy of an old stack runs today's code, and no library, schema or credential is copied into state.
 * A `require` written inside a method body is kept as text by Pulumi's closure serializer and resolved
 * from the program's directory at run time.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** Builds the provider for one job set type; the SDK makes one per type so Pulumi serializes it once. */
export function providerFor(type: string): dynamic.ResourceProvider {
  return {
    async configure(req) {
      return require("pulumi-jobsets/dynamic-provider").configure(req);
    },
    async check(olds, news) {
      return require("pulumi-jobsets/dynamic-provider").check(type, olds, news);
    },
    async diff(id, olds, news) {
      return require("pulumi-jobsets/dynamic-provider").diff(type, id, olds, news);
    },
    async create(inputs) {
      return require("pulumi-jobsets/dynamic-provider").create(type, inputs);
    },
    async update(id, olds, news) {
      return require("pulumi-jobsets/dynamic-provider").update(type, id, olds, news);
    },
    async delete(id, props) {
      return require("pulumi-jobsets/dynamic-provider").remove(type, id, props);
    },
  };
}
