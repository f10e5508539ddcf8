// gen-sdk writes the Python or Go SDK of a Pulumi package schema, with the code generators that
// `pulumi package add` and `pulumi package gen-sdk` reach through pulumi-language-python and pulumi-language-go
// (which the Go module proxy does not serve): github.com/pulumi/pulumi/pkg/v3/codegen/{python,go}, at the version
// the CLI is built from. As `pulumi package add` does, the package is generated as a local one (SupportPack:
// a Go SDK gets its own go.mod).
//
//	gen-sdk <python|go> <schema.json> <out dir>
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: gen-sdk <python|go> <schema.json> <out dir>")
	}
	language, schemaFile, out := args[0], args[1], args[2]
	text, err := os.ReadFile(schemaFile)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("reading %s: %w", schemaFile, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	pkg.SupportPack = true
	var files map[string][]byte
	switch language {
	case "python":
		files, err = pythongen.GeneratePackage("gen-sdk", pkg, nil, nil)
	case "go":
		files, err = gogen.GeneratePackage("gen-sdk", pkg, nil)
	default:
		return fmt.Errorf("unknown language %q: python or go", language)
	}
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noOtherPackages is the loader for a schema that refers to no other package: any lookup is an error.
type noOtherPackages struct{}

func (noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q; only self-contained schemas are supported", name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}
