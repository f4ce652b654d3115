// compose-check validates natslet's docker-compose.yml and Dockerfiles on a machine without a
// Docker engine: the compose file is loaded with compose-go, the library `docker compose config`
// uses (schema, interpolation, normalisation, consistency), once per profile set; the
// Dockerfiles are parsed with BuildKit's own parser and instruction reader (with its linter).
// On top of that it checks natslet's rules (rules.go). Exit 1 on any failure.
//
//	compose-check [-repo DIR] [-file COMPOSE_FILE]
//	compose-check [-repo DIR] -copy-context DEST   (the build context as docker sends it)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The profile sets a user runs: with their own KUBECONFIG, and with the k3s control plane.
var profileSets = [][]string{{}, {"control-plane"}}

type report struct {
	failures []string
	warnings []string
	passes   int
}

func (r *report) check(ok bool, format string, args ...any) {
	if ok {
		r.passes++
		return
	}
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *report) fail(format string, args ...any) { r.check(false, format, args...) }

func (r *report) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

func main() {
	repo := flag.String("repo", ".", "repository root: services/, packages/, deploy/ and the build contexts")
	file := flag.String("file", "", "compose file (default: <repo>/docker-compose.yml); tests pass broken variants")
	copyTo := flag.String("copy-context", "", "copy the build context (minus .dockerignore) to this directory, then exit")
	flag.Parse()
	root, err := filepath.Abs(*repo)
	if err != nil {
		fatal(err)
	}
	if *copyTo != "" {
		r := &report{}
		if err := copyContext(r, root, *copyTo); err != nil {
			fatal(err)
		}
		if len(r.failures) > 0 {
			fatal(fmt.Errorf("%v", r.failures))
		}
		return
	}
	composeFile := *file
	if composeFile == "" {
		composeFile = filepath.Join(root, "docker-compose.yml")
	}
	r := &report{}
	var full *types.Project
	for _, profiles := range profileSets {
		project, err := loadProject(root, composeFile, profiles)
		if err != nil {
			r.fail("%s with profiles %v: %v", filepath.Base(composeFile), profiles, err)
			continue
		}
		r.passes++
		fmt.Printf("compose-check: profiles %v: %d services: %v\n", profiles, len(project.Services), sortedKeys(project.Services))
		if len(profiles) > 0 {
			full = project
		}
	}
	if full != nil {
		dockerfiles := checkDockerfiles(r, root, full)
		checkRules(r, root, full, dockerfiles)
	}
	for _, w := range r.warnings {
		fmt.Printf("compose-check: WARN %s\n", w)
	}
	for _, f := range r.failures {
		fmt.Printf("compose-check: FAIL %s\n", f)
	}
	fmt.Printf("compose-check: %d checks passed, %d failed, %d warnings\n", r.passes, len(r.failures), len(r.warnings))
	if len(r.failures) > 0 {
		os.Exit(1)
	}
}

// loadProject loads docker-compose.yml as `docker compose --profile ... config` does, with the
// variables' defaults only (no OS environment, no .env), so the result does not depend on
// whoever runs the check.
func loadProject(root, composeFile string, profiles []string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions(
		[]string{composeFile},
		cli.WithWorkingDirectory(root),
		cli.WithEnv([]string{}),
		cli.WithProfiles(profiles),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(2)
}
