module jobsets-go-example

go 1.22

require github.com/pulumi/pulumi/sdk/v3 v3.277.0

// `pulumi package add ../..` adds a replace directive for the generated SDK here; then run `go mod tidy`.
