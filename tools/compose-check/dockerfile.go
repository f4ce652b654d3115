package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// dockerfileInfo is what the rules need to know about one Dockerfile.
type dockerfileInfo struct {
	args        map[string]bool   // ARGs declared anywhere (meta or in a stage)
	finalEnv    map[string]string // ENV of the final stage
	healthcheck bool              // the final stage has a HEALTHCHECK (not NONE)
}

// Scripts the build runs from the context, e.g. `RUN proto/fetch-cri.sh`.
var scriptPath = regexp.MustCompile(`(?:^|[\s;&|])((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+\.sh)\b`)

// checkDockerfiles parses every Dockerfile a service builds, checks that COPY/ADD sources and
// the scripts RUN calls exist in the build context and are not excluded by .dockerignore.
func checkDockerfiles(r *report, root string, p *types.Project) map[string]*dockerfileInfo {
	infos := map[string]*dockerfileInfo{}
	for _, name := range sortedKeys(p.Services) {
		b := p.Services[name].Build
		if b == nil {
			continue
		}
		file := b.Dockerfile
		if file == "" {
			file = "Dockerfile"
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(b.Context, file)
		}
		info, ok := infos[file]
		if !ok {
			info = parseDockerfile(r, root, b.Context, file)
			infos[file] = info
		}
		if info == nil {
			continue
		}
		for arg := range b.Args {
			r.check(info.args[arg], "%s: build arg %s is not declared in %s", name, arg, rel(root, file))
		}
	}
	return infos
}

func parseDockerfile(r *report, root, contextDir, file string) *dockerfileInfo {
	name := rel(root, file)
	data, err := os.ReadFile(file)
	if err != nil {
		r.fail("%s: %v", name, err)
		return nil
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		r.fail("%s: %v", name, err)
		return nil
	}
	for _, w := range res.Warnings {
		r.fail("%s: parser: %s", name, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, desc, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		r.fail("%s:%d: lint %s: %s", name, line, rule, msg)
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		r.fail("%s: %v", name, err)
		return nil
	}
	r.passes++
	ignore := dockerignore(r, contextDir)
	info := &dockerfileInfo{args: map[string]bool{}, finalEnv: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			info.args[kv.Key] = true
		}
	}
	for i, st := range stages {
		final := i == len(stages)-1
		if !strings.Contains(st.BaseName, "$") && !isStage(stages[:i], st.BaseName) {
			_, err := reference.ParseNormalizedNamed(st.BaseName)
			r.check(err == nil, "%s: FROM %s: %v", name, st.BaseName, err)
		}
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					info.args[kv.Key] = true
				}
			case *instructions.EnvCommand:
				if final {
					for _, kv := range c.Env {
						info.finalEnv[kv.Key] = kv.Value
					}
				}
			case *instructions.HealthCheckCommand:
				if final {
					info.healthcheck = len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
				}
			case *instructions.CopyCommand:
				if c.From == "" {
					checkSources(r, name, contextDir, ignore, c.SourcePaths)
				}
			case *instructions.AddCommand:
				checkSources(r, name, contextDir, ignore, c.SourcePaths)
			case *instructions.RunCommand:
				for _, m := range scriptPath.FindAllStringSubmatch(strings.Join(c.CmdLine, " "), -1) {
					checkSources(r, name+" RUN", contextDir, ignore, []string{m[1]})
				}
			}
		}
	}
	return info
}

func isStage(stages []instructions.Stage, name string) bool {
	for _, s := range stages {
		if strings.EqualFold(s.Name, name) {
			return true
		}
	}
	return false
}

// checkSources: each source matches something in the context that .dockerignore keeps.
func checkSources(r *report, name, contextDir string, ignore *patternmatcher.PatternMatcher, sources []string) {
	for _, src := range sources {
		if strings.Contains(src, "://") || strings.Contains(src, "$") {
			continue
		}
		matches, _ := filepath.Glob(filepath.Join(contextDir, src))
		if len(matches) == 0 {
			r.fail("%s: %s does not exist in the build context %s", name, src, contextDir)
			continue
		}
		if ignore != nil && src != "." {
			excluded, _ := ignore.MatchesOrParentMatches(filepath.Clean(src))
			r.check(!excluded, "%s: %s is excluded by .dockerignore", name, src)
			continue
		}
		r.passes++
	}
}

func dockerignore(r *report, contextDir string) *patternmatcher.PatternMatcher {
	f, err := os.Open(filepath.Join(contextDir, ".dockerignore"))
	if err != nil {
		return nil
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		r.fail("%s/.dockerignore: %v", contextDir, err)
		return nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		r.fail("%s/.dockerignore: %v", contextDir, err)
		return nil
	}
	return pm
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil {
		return r
	}
	return fmt.Sprint(path)
}
