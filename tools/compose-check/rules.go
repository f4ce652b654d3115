package main

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

const (
	nodeService       = "node"       // the container that runs containerd: "the node"
	busService        = "nats"       // every natslet service needs it
	kubeconfigService = "kubeconfig" // the control-plane profile's kubeconfig writer
)

// Services that `docker compose up --scale <service>=N` must be able to scale.
var scalableServices = []string{"image-manager", "sync-loop", "status-manager"}

// Environment variables whose values are paths the node container must see identically.
var nodePathEnv = []string{"NATSLET_ROOT_DIR", "NATSLET_POD_LOGS_DIR", "CONTAINER_RUNTIME_ENDPOINT"}

func checkRules(r *report, root string, p *types.Project, dockerfiles map[string]*dockerfileInfo) {
	natslet := natsletServices(p)
	checkEveryServiceComposed(r, root, natslet)
	node, hasNode := p.Services[nodeService]
	r.check(hasNode, "no %q service (containerd)", nodeService)
	for _, name := range sortedKeys(natslet) {
		svc := natslet[name]
		checkDependencies(r, p, name, svc, dockerfiles)
		if hasNode {
			checkNodePaths(r, name, svc, node)
		}
		checkEnvRead(r, root, name, svc)
	}
	for _, name := range sortedKeys(p.Services) {
		for dep, d := range p.Services[name].DependsOn {
			if d.Condition == types.ServiceConditionHealthy {
				r.check(hasHealthcheck(p.Services[dep], dockerfiles), "%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
			}
		}
	}
	checkNoCycle(r, p)
	checkScalable(r, p)
	if hasNode {
		checkContainerdSocket(r, root, p)
	}
	checkImageEnv(r, root, natslet, dockerfiles)
}

// natsletServices: the services built from the root Dockerfile with SERVICE=<name>.
func natsletServices(p *types.Project) map[string]types.ServiceConfig {
	out := map[string]types.ServiceConfig{}
	for name, svc := range p.Services {
		if svc.Build != nil && svc.Build.Args["SERVICE"] != nil {
			out[name] = svc
		}
	}
	return out
}

// Every services/<name> is in the compose file, under its own name.
func checkEveryServiceComposed(r *report, root string, natslet map[string]types.ServiceConfig) {
	dirs, _ := filepath.Glob(filepath.Join(root, "services", "*", "package.json"))
	for _, pj := range dirs {
		name := filepath.Base(filepath.Dir(pj))
		_, ok := natslet[name]
		r.check(ok, "services/%s has no compose service built with SERVICE=%s", name, name)
	}
	for name, svc := range natslet {
		arg := *svc.Build.Args["SERVICE"]
		r.check(arg == name, "service %s builds SERVICE=%s", name, arg)
		_, err := os.Stat(filepath.Join(root, "services", arg, "package.json"))
		r.check(err == nil, "service %s: services/%s/package.json does not exist", name, arg)
	}
}

func hasHealthcheck(svc types.ServiceConfig, dockerfiles map[string]*dockerfileInfo) bool {
	if svc.HealthCheck != nil {
		return !svc.HealthCheck.Disable && len(svc.HealthCheck.Test) > 0 && svc.HealthCheck.Test[0] != "NONE"
	}
	if info := dockerfileOf(svc, dockerfiles); info != nil {
		return info.healthcheck
	}
	return false
}

func dockerfileOf(svc types.ServiceConfig, dockerfiles map[string]*dockerfileInfo) *dockerfileInfo {
	if svc.Build == nil {
		return nil
	}
	file := svc.Build.Dockerfile
	if file == "" {
		file = "Dockerfile"
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(svc.Build.Context, file)
	}
	return dockerfiles[file]
}

// checkDependencies: a natslet service has a healthcheck, waits for NATS to be healthy, for
// the node when it uses the node's paths, and for the kubeconfig when it reads KUBECONFIG.
// A dependency it only waits to be started must be optional (required: false).
func checkDependencies(r *report, p *types.Project, name string, svc types.ServiceConfig, dockerfiles map[string]*dockerfileInfo) {
	r.check(hasHealthcheck(svc, dockerfiles), "%s has no healthcheck", name)
	r.check(reaches(p, name, busService), "%s does not wait for %s to be healthy", name, busService)
	if _, ok := svc.Environment["KUBECONFIG"]; ok {
		d, dep := svc.DependsOn[kubeconfigService]
		r.check(dep && d.Condition == types.ServiceConditionCompletedSuccessfully && !d.Required,
			"%s reads KUBECONFIG: it must depend on %s (service_completed_successfully, required: false)", name, kubeconfigService)
	}
	if sharesNodePaths(svc) {
		r.check(reaches(p, name, nodeService), "%s uses the node's paths but does not wait for %s to be healthy", name, nodeService)
	}
	for dep, d := range svc.DependsOn {
		r.check(d.Condition != types.ServiceConditionStarted || !d.Required,
			"%s depends on %s only being started: use service_healthy, or required: false for an optional one", name, dep)
	}
}

// reaches: `from` waits, directly or through others, for `to` to be healthy.
func reaches(p *types.Project, from, to string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(s string) bool {
		if seen[s] {
			return false
		}
		seen[s] = true
		for dep, d := range p.Services[s].DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				continue
			}
			if dep == to || walk(dep) {
				return true
			}
		}
		return false
	}
	return walk(from)
}

func sharesNodePaths(svc types.ServiceConfig) bool {
	for _, k := range nodePathEnv {
		if _, ok := svc.Environment[k]; ok {
			return true
		}
	}
	return svc.NetworkMode == "service:"+nodeService
}

// checkNodePaths: a volume the service shares with the node is mounted at the node's path, with
// the node's propagation when writable; every node path its environment names is such a mount.
func checkNodePaths(r *report, name string, svc, node types.ServiceConfig) {
	nodeMounts := map[string]types.ServiceVolumeConfig{}
	for _, v := range node.Volumes {
		nodeMounts[v.Source] = v
	}
	shared := map[string]bool{} // targets this service shares with the node
	for _, v := range svc.Volumes {
		nv, ok := nodeMounts[v.Source]
		if !ok {
			continue
		}
		r.check(v.Target == nv.Target, "%s mounts %s at %s, the node at %s: node paths must be the same in both", name, v.Source, v.Target, nv.Target)
		if nv.Bind != nil && nv.Bind.Propagation != "" && !v.ReadOnly {
			r.check(v.Bind != nil && v.Bind.Propagation == nv.Bind.Propagation,
				"%s mounts %s writable without the node's %s propagation", name, v.Source, nv.Bind.Propagation)
		}
		shared[v.Target] = true
	}
	for _, key := range nodePathEnv {
		value := svc.Environment[key]
		if value == nil {
			continue
		}
		p := strings.TrimPrefix(*value, "unix://")
		r.check(underAny(p, shared), "%s: %s=%s is not on a mount it shares with the node", name, key, *value)
	}
}

func underAny(p string, dirs map[string]bool) bool {
	for d := p; ; d = path.Dir(d) {
		if dirs[d] {
			return true
		}
		if d == "/" || d == "." {
			return false
		}
	}
}

// The runtime-adapter's CRI endpoint is the socket deploy/containerd/config.toml listens on.
func checkContainerdSocket(r *report, root string, p *types.Project) {
	data, err := os.ReadFile(filepath.Join(root, "deploy", "containerd", "config.toml"))
	if err != nil {
		r.fail("deploy/containerd/config.toml: %v", err)
		return
	}
	// The first address = "..." in the [grpc] table (comments may come between).
	m := regexp.MustCompile(`(?m)^\[grpc\][^\[]*?^\s*address\s*=\s*"([^"]+)"`).FindSubmatch(data)
	if m == nil {
		r.fail("deploy/containerd/config.toml: no [grpc] address")
		return
	}
	for name, svc := range p.Services {
		if ep := svc.Environment["CONTAINER_RUNTIME_ENDPOINT"]; ep != nil {
			r.check(*ep == "unix://"+string(m[1]), "%s: CONTAINER_RUNTIME_ENDPOINT=%s, containerd listens on %s", name, *ep, m[1])
		}
	}
}

// `docker compose up --scale <service>=N` needs no fixed name, host port or address.
func checkScalable(r *report, p *types.Project) {
	for _, name := range scalableServices {
		svc, ok := p.Services[name]
		if !r.checked(ok, "no %s service", name) {
			continue
		}
		r.check(svc.ContainerName == "", "%s has container_name: it cannot scale", name)
		for _, port := range svc.Ports {
			r.check(port.Published == "", "%s publishes host port %s: a second replica cannot", name, port.Published)
		}
		for net, cfg := range svc.Networks {
			r.check(cfg == nil || (cfg.Ipv4Address == "" && cfg.Ipv6Address == ""), "%s has a fixed address on %s", name, net)
		}
		r.check(svc.Hostname == "" && !strings.HasPrefix(svc.NetworkMode, "service:"), "%s has a fixed hostname or shares a network namespace", name)
	}
}

func (r *report) checked(ok bool, format string, args ...any) bool {
	r.check(ok, format, args...)
	return ok
}

func checkNoCycle(r *report, p *types.Project) {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string, []string) bool
	visit = func(s string, trail []string) bool {
		switch state[s] {
		case 1:
			r.fail("depends_on cycle: %s", strings.Join(append(trail, s), " -> "))
			return false
		case 2:
			return true
		}
		state[s] = 1
		for dep := range p.Services[s].DependsOn {
			if !visit(dep, append(trail, s)) {
				return false
			}
		}
		state[s] = 2
		return true
	}
	for _, name := range sortedKeys(p.Services) {
		if !visit(name, nil) {
			return
		}
	}
	r.passes++
}
