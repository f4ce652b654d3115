package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Upper-case string literals in the TypeScript sources: the environment variable names a
// service reads (telemetry's env readers and env["..."] both name them literally).
var envLiteral = regexp.MustCompile(`["'` + "`" + `]([A-Z][A-Z0-9_]{2,}[A-Z0-9])["'` + "`" + `]`)

// Variables the runtime itself reads, not natslet's code.
var runtimeEnv = map[string]bool{"NODE_ENV": true, "NODE_OPTIONS": true}

// readNames: the literals in services/<name>/src and in the src of every workspace package it
// depends on (transitively), test files excluded. ok=false when the service has no main.ts yet.
func readNames(root, service string) (names map[string]bool, ok bool) {
	if _, err := os.Stat(filepath.Join(root, "services", service, "src", "main.ts")); err != nil {
		return nil, false
	}
	names = map[string]bool{}
	seen := map[string]bool{}
	var walk func(dir string)
	walk = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		_ = filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".ts") || strings.HasSuffix(p, ".test.ts") || strings.HasSuffix(p, ".itest.ts") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err == nil {
				for _, m := range envLiteral.FindAllSubmatch(data, -1) {
					names[string(m[1])] = true
				}
			}
			return nil
		})
		for _, dep := range workspaceDeps(dir) {
			walk(filepath.Join(root, "packages", dep))
		}
	}
	walk(filepath.Join(root, "services", service))
	return names, true
}

// workspaceDeps: the @natslet/* production dependencies in dir/package.json.
func workspaceDeps(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if json.Unmarshal(data, &pj) != nil {
		return nil
	}
	var out []string
	for name := range pj.Dependencies {
		if rest, ok := strings.CutPrefix(name, "@natslet/"); ok {
			out = append(out, rest)
		}
	}
	sort.Strings(out)
	return out
}

// checkEnvRead: every variable compose sets on a natslet service is one that service reads.
func checkEnvRead(r *report, root, name string, svc types.ServiceConfig) {
	names, ok := readNames(root, name)
	if !ok {
		r.warn("services/%s/src/main.ts does not exist yet: its environment (%s) is not checked", name, strings.Join(sortedKeys(svc.Environment), ", "))
		return
	}
	for _, key := range sortedKeys(svc.Environment) {
		r.check(names[key] || runtimeEnv[key], "%s: %s is set but services/%s (with its workspace packages) never reads it", name, key, name)
	}
}

// checkImageEnv: the ENV the service image sets is read by every service built from it,
// except the ones only a service that needs them reads (the CRI proto: runtime-adapter).
func checkImageEnv(r *report, root string, natslet map[string]types.ServiceConfig, dockerfiles map[string]*dockerfileInfo) {
	for _, name := range sortedKeys(natslet) {
		info := dockerfileOf(natslet[name], dockerfiles)
		names, ok := readNames(root, name)
		if info == nil || !ok {
			continue
		}
		for _, key := range sortedKeys(info.finalEnv) {
			if key == "NATSLET_CRI_PROTO" && !names[key] {
				continue // read through @natslet/cri by the runtime-adapter only
			}
			r.check(names[key] || runtimeEnv[key], "%s: the image sets %s but the service never reads it", name, key)
		}
	}
}
