// The jobsets-guard policy pack: the six job-set policies of pulumi-jobsets with their defaults.
//
//   pulumi preview --policy-pack examples/policy-pack --policy-pack-config examples/policy-pack/config.json
//
// To change a default for every stack rather than per run, build the policies with options instead:
//   createJobsetPolicies({ protectLargeSets: { minJobs: 50 }, production: { productionStacks: ["live-*"] } })
import { PolicyPack } from "@pulumi/policy";
import { jobsetPolicies } from "pulumi-jobsets/policy";

new PolicyPack("jobsets-guard", {
  description:
    "Guards job sets against mass teardown before the fact: no policy sees a deletion (pulumi/pulumi-policy#154), " +
    "so large, production and selector sets must be protected, streaming sets keep a savepoint, and set sizes are bounded.",
  policies: jobsetPolicies,
});
