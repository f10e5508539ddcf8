// A DLI Flink job set from Go, through the pulumi-jobsets provider plugin.
//
// Generate the SDK first: `pulumi package add ../..` (see README.md). Credentials and the project ID come
// from the stack config (jobsets:accessKey, ...) or the HW_* environment, never from resource arguments.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"example.com/pulumi-jobsets/sdk/go/jobsets"
	"example.com/pulumi-jobsets/sdk/go/jobsets/dli"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		streams, err := dli.NewFlinkJobSet(ctx, "streams", &dli.FlinkJobSetArgs{
			// Your DLI Flink job IDs, as strings of digits (IDs are Longs: exact as strings, not as numbers).
			JobIds:             pulumi.StringArray{pulumi.String("268435"), pulumi.String("268436")},
			Region:             pulumi.String("cn-north-4"),
			Teardown:           jobsets.TeardownMode("stop-then-delete"),
			TriggerSavepoint:   pulumi.Bool(true),
			WaitTimeoutSeconds: pulumi.Int(1800),
		})
		if err != nil {
			return err
		}
		ctx.Export("jobIds", streams.JobIds)
		ctx.Export("endpoint", streams.Endpoint)
		return nil
	})
}
