package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"

	"github.com/followup-dev/followup/deploy"
)

// Docker cannot run where these tests run, so they check the deployment files
// the way docker compose and docker build would read them: the compose file is
// loaded (interpolated, merged, validated against the compose spec) by
// compose-go, the library docker compose itself uses, and the Dockerfile is
// parsed into instructions. Each check is also run against broken copies of
// the files, so a check that can no longer fail is caught too.

// appServices run the followup image; each needs the database and Temporal.
var appServices = map[string]string{ // service → followup subcommand
	"migrate": "migrate",
	"app":     "serve",
	"worker":  "worker",
}

// searchAttributes are the Temporal search attributes the workflows upsert; a
// namespace without them rejects the workflows' UpsertSearchAttributes.
var searchAttributes = map[string]string{
	"FollowupContactID":      "Keyword",
	"FollowupChannel":        "Keyword",
	"FollowupAgent":          "Keyword",
	"FollowupVIP":            "Bool",
	"FollowupStatus":         "Keyword",
	"FollowupWindowClosesAt": "Datetime",
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loadCompose loads compose YAML as `docker compose --profile monitoring`
// would in the repo root, with an empty environment, so every
// ${VAR:-default} takes its default.
func loadCompose(t *testing.T, content string) (*types.Project, error) {
	t.Helper()
	root := repoRoot(t)
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir: root,
		ConfigFiles: []types.ConfigFile{{
			Filename: filepath.Join(root, "docker-compose.yml"),
			Content:  []byte(content),
		}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName("followup", true)
		o.Profiles = []string{"monitoring"}
	})
}

// composeProblems lists what is wrong with a loaded compose project.
func composeProblems(root string, p *types.Project) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	for _, name := range []string{"postgres", "temporal", "migrate", "app", "worker"} {
		if _, ok := p.Services[name]; !ok {
			bad("service %q is missing", name)
		}
	}
	if len(probs) > 0 {
		return probs
	}
	pg, tmp := p.Services["postgres"], p.Services["temporal"]

	// Postgres: a persistent volume, credentials, and a healthcheck the others wait on.
	if !strings.HasPrefix(pg.Image, "postgres:") {
		bad("postgres: image %q is not postgres:<version>", pg.Image)
	}
	if !hasVolumeAt(pg, "/var/lib/postgresql/data") {
		bad("postgres: no volume on /var/lib/postgresql/data: data is lost with the container")
	}
	for _, k := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
		if env(pg, k) == "" {
			bad("postgres: %s is not set", k)
		}
	}
	if hc := healthTest(pg); !strings.Contains(hc, "pg_isready") {
		bad("postgres: healthcheck %q does not run pg_isready", hc)
	}

	// Temporal: the dev server (not the deprecated auto-setup image), reachable
	// from the other containers, persisted, with the search attributes registered.
	if !strings.HasPrefix(tmp.Image, "temporalio/temporal:") {
		bad("temporal: image %q is not temporalio/temporal with a tag", tmp.Image)
	} else if tag := strings.TrimPrefix(tmp.Image, "temporalio/temporal:"); tag == "latest" || !strings.ContainsAny(tag, "0123456789") {
		// A pinned release: :latest changes under a running deployment.
		bad("temporal: image tag %q is not a pinned release", tag)
	}
	cmd := []string(tmp.Command)
	if len(cmd) < 2 || cmd[0] != "server" || cmd[1] != "start-dev" {
		bad("temporal: command %q does not start with `server start-dev`", cmd)
	}
	flags := parseFlags(cmd)
	if ip := lastFlag(flags, "ip"); ip != "0.0.0.0" {
		bad("temporal: --ip is %q; the dev server must listen on 0.0.0.0 to be reachable from other containers", ip)
	}
	if ui := lastFlag(flags, "ui-ip"); ui != "" && ui != "0.0.0.0" {
		bad("temporal: --ui-ip is %q; the UI must listen on 0.0.0.0", ui)
	}
	if db := lastFlag(flags, "db-filename"); db == "" {
		bad("temporal: no --db-filename: workflows are lost on restart")
	} else if !hasVolumeAt(tmp, path.Dir(db)) {
		bad("temporal: --db-filename %q is not on a volume", db)
	}
	got := map[string]string{}
	for _, sa := range flags["search-attribute"] {
		k, v, ok := strings.Cut(sa, "=")
		if !ok {
			bad("temporal: --search-attribute %q is not NAME=TYPE", sa)
			continue
		}
		got[k] = v
	}
	for k, want := range searchAttributes {
		if got[k] != want {
			bad("temporal: search attribute %s registered as %q, want %q", k, got[k], want)
		}
	}
	for k := range got {
		if _, ok := searchAttributes[k]; !ok {
			bad("temporal: unexpected search attribute %s", k)
		}
	}
	if !publishes(tmp, 7233) {
		bad("temporal: gRPC port 7233 is not published")
	}
	uiPort := 8233
	if v := lastFlag(flags, "ui-port"); v != "" {
		if _, err := fmt.Sscan(v, &uiPort); err != nil {
			bad("temporal: --ui-port %q is not a number", v)
		}
	}
	uiReachable := publishes(tmp, uint32(uiPort)) && !slices.Contains(flags["headless"], "true")
	for _, s := range p.Services {
		if strings.HasPrefix(s.Image, "temporalio/ui") && len(s.Ports) > 0 {
			uiReachable = true
		}
	}
	if !uiReachable {
		bad("the Temporal UI is not published (dev server port %d or a temporalio/ui service)", uiPort)
	}

	// The followup services: one image, built from the repo's Dockerfile.
	images := map[string]bool{}
	built := false
	for name, sub := range appServices {
		s := p.Services[name]
		images[s.Image] = true
		if s.Build != nil {
			built = true
			if filepath.Clean(s.Build.Context) != root {
				bad("%s: build context %q is not the repo root %q", name, s.Build.Context, root)
			}
			if df := s.Build.Dockerfile; df != "" && df != "Dockerfile" && filepath.Clean(df) != filepath.Join(root, "Dockerfile") {
				bad("%s: builds from %q, not the repo's Dockerfile", name, df)
			}
		}
		if len(s.Entrypoint) > 0 {
			bad("%s: entrypoint %q overrides the image's followup entrypoint", name, s.Entrypoint)
		}
		if c := []string(s.Command); !slices.Equal(c, []string{sub}) {
			bad("%s: command %q, want [%s]", name, c, sub)
		}
		checkAppEnv(name, s, pg, bad)
	}
	if len(images) != 1 || images[""] {
		bad("migrate, app and worker do not share one named image: %v", images)
	}
	if !built {
		bad("none of migrate, app, worker builds the image from the Dockerfile")
	}

	// Startup order: migrate once Postgres is healthy; serve and worker once the
	// schema is migrated and Temporal answers.
	want := map[string]map[string]string{
		"migrate": {"postgres": types.ServiceConditionHealthy},
		"app": {
			"postgres": types.ServiceConditionHealthy,
			"temporal": types.ServiceConditionHealthy,
			"migrate":  types.ServiceConditionCompletedSuccessfully,
		},
		"worker": {
			"postgres": types.ServiceConditionHealthy,
			"temporal": types.ServiceConditionHealthy,
			"migrate":  types.ServiceConditionCompletedSuccessfully,
		},
	}
	for name, deps := range want {
		for dep, cond := range deps {
			d, ok := p.Services[name].DependsOn[dep]
			if !ok {
				bad("%s: does not depend on %s", name, dep)
				continue
			}
			if d.Condition != cond && (dep != "temporal" || d.Condition != types.ServiceConditionStarted) {
				bad("%s: depends on %s with condition %q, want %q", name, dep, d.Condition, cond)
			}
		}
	}
	for name, s := range p.Services {
		for dep, d := range s.DependsOn {
			target, ok := p.Services[dep]
			if !ok {
				bad("%s: depends on unknown service %s", name, dep)
				continue
			}
			switch d.Condition {
			case types.ServiceConditionStarted:
			case types.ServiceConditionHealthy:
				if healthTest(target) == "" {
					bad("%s: waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if r := target.Restart; r != "" && r != types.RestartPolicyNo && !strings.HasPrefix(r, types.RestartPolicyOnFailure) {
					bad("%s: waits for %s to complete, but %s restarts (%q)", name, dep, dep, r)
				}
			default:
				bad("%s: depends on %s with unknown condition %q", name, dep, d.Condition)
			}
		}
	}

	// The HTTP server: published, listening on every interface, healthy when
	// ready (compose restarts nothing on health, so readiness is what its
	// health should say).
	app := p.Services["app"]
	if !publishes(app, 8080) {
		bad("app: port 8080 is not published")
	}
	if hc := healthTest(app); !strings.Contains(hc, ":8080/readyz") {
		bad("app: healthcheck %q does not probe :8080/readyz", hc)
	}
	// The image's HEALTHCHECK probes the HTTP server on :8080; the services
	// that do not run one must not inherit it.
	if m := p.Services["migrate"]; m.HealthCheck == nil || !m.HealthCheck.Disable {
		bad("migrate: inherits the image's HTTP healthcheck; disable it")
	}
	worker := p.Services["worker"]
	if _, port, err := net.SplitHostPort(env(worker, "METRICS_ADDR")); err != nil {
		bad("worker: METRICS_ADDR %q is not host:port: its /metrics is not served", env(worker, "METRICS_ADDR"))
	} else if hc := healthTest(worker); !strings.Contains(hc, ":"+port+"/") {
		bad("worker: healthcheck %q does not probe METRICS_ADDR (:%s)", hc, port)
	}
	probs = append(probs, monitoringProblems(p)...)
	if host, port, err := net.SplitHostPort(env(app, "HTTP_ADDR")); err != nil || port != "8080" || (host != "0.0.0.0" && host != "" && host != "::") {
		bad("app: HTTP_ADDR %q must listen on all interfaces, port 8080", env(app, "HTTP_ADDR"))
	}
	return probs
}

// monitoringProblems checks the monitoring profile: Prometheus scraping the
// app and the worker, and Grafana with that Prometheus and the dashboard
// provisioned, neither started without --profile monitoring.
func monitoringProblems(p *types.Project) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	for _, name := range []string{"prometheus", "grafana"} {
		if _, ok := p.Services[name]; !ok {
			bad("service %q is missing (monitoring profile)", name)
		}
	}
	if len(probs) > 0 {
		return probs
	}
	prom, graf := p.Services["prometheus"], p.Services["grafana"]
	for name, image := range map[string]string{"prometheus": "prom/prometheus:", "grafana": "grafana/grafana:"} {
		s := p.Services[name]
		if !slices.Equal(s.Profiles, []string{"monitoring"}) {
			bad("%s: profiles %q, want [monitoring]", name, s.Profiles)
		}
		if tag, ok := strings.CutPrefix(s.Image, image); !ok || tag == "latest" || !strings.ContainsAny(tag, "0123456789") {
			bad("%s: image %q is not %s<pinned release>", name, s.Image, image)
		}
	}

	// Prometheus scrapes the app's HTTP_ADDR and the worker's METRICS_ADDR.
	var cfg struct {
		ScrapeConfigs []struct {
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	promPort := "9090"
	for _, f := range prom.Command {
		if v, ok := strings.CutPrefix(f, "--web.listen-address="); ok {
			_, promPort, _ = net.SplitHostPort(v)
		}
	}
	src, ok := boundFile(prom, "/etc/prometheus/prometheus.yml")
	if !ok {
		bad("prometheus: no configuration bound at /etc/prometheus/prometheus.yml")
	} else if b, err := os.ReadFile(src); err != nil {
		bad("prometheus: %v", err)
	} else if err := yaml.Unmarshal(b, &cfg); err != nil {
		bad("prometheus: %s: %v", src, err)
	}
	targets := map[string]bool{}
	for _, sc := range cfg.ScrapeConfigs {
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			continue
		}
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				targets[tg] = true
			}
		}
	}
	_, appPort, _ := net.SplitHostPort(env(p.Services["app"], "HTTP_ADDR"))
	_, workerPort, _ := net.SplitHostPort(env(p.Services["worker"], "METRICS_ADDR"))
	for _, want := range []string{"app:" + appPort, "worker:" + workerPort} {
		if !targets[want] {
			bad("prometheus: does not scrape %s/metrics (targets %v)", want, slices.Sorted(maps.Keys(targets)))
		}
	}

	// Grafana: the data source is that Prometheus, the dashboards' provider
	// reads a directory holding the dashboard, whose panels use that data
	// source.
	dsDir, ok := boundFile(graf, "/etc/grafana/provisioning/datasources")
	if !ok {
		return append(probs, "grafana: no provisioning bound at /etc/grafana/provisioning")
	}
	uid := ""
	for _, ds := range provisioned[struct {
		Type string `yaml:"type"`
		UID  string `yaml:"uid"`
		URL  string `yaml:"url"`
	}](dsDir, "datasources", bad) {
		u, err := url.Parse(ds.URL)
		if ds.Type == "prometheus" && err == nil && u.Hostname() == "prometheus" && u.Port() == promPort {
			uid = ds.UID
		}
	}
	if uid == "" {
		bad("grafana: no provisioned prometheus data source at http://prometheus:%s", promPort)
	}
	dbDir, _ := boundFile(graf, "/etc/grafana/provisioning/dashboards")
	dashboards := 0
	for _, pr := range provisioned[struct {
		Options struct {
			Path string `yaml:"path"`
		} `yaml:"options"`
	}](dbDir, "providers", bad) {
		dir, ok := boundFile(graf, pr.Options.Path)
		if !ok {
			bad("grafana: dashboards path %q is not bound from the repo", pr.Options.Path)
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				bad("grafana: %v", err)
				continue
			}
			d, err := deploy.ParseDashboard(b)
			if err != nil {
				bad("grafana: %s: %v", f, err)
				continue
			}
			dashboards++
			for _, pn := range d.Panels {
				if pn.Datasource.UID != uid {
					bad("grafana: %s panel %q uses data source %q, not the provisioned %q", filepath.Base(f), pn.Title, pn.Datasource.UID, uid)
				}
			}
		}
	}
	if dashboards == 0 {
		bad("grafana: no dashboard is provisioned")
	}
	return probs
}

// boundFile is the host path a service's bind mount puts at target (or
// under it).
func boundFile(s types.ServiceConfig, target string) (string, bool) {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if rel, err := filepath.Rel(v.Target, target); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join(v.Source, rel), true
		}
	}
	return "", false
}

// provisioned reads the list under key of every Grafana provisioning file in dir.
func provisioned[T any](dir, key string, bad func(string, ...any)) []T {
	var all []T
	files, _ := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			bad("grafana: %v", err)
			continue
		}
		var doc map[string]yaml.Node
		var list []T
		if err := yaml.Unmarshal(b, &doc); err != nil {
			bad("grafana: %s: %v", f, err)
			continue
		}
		if n, ok := doc[key]; ok {
			if err := n.Decode(&list); err != nil {
				bad("grafana: %s: %s: %v", f, key, err)
			}
		}
		all = append(all, list...)
	}
	return all
}

// provisionedDatasourceUID is the uid of the Prometheus data source
// Grafana is provisioned with.
func provisionedDatasourceUID(t *testing.T) string {
	t.Helper()
	var uids []string
	for _, ds := range provisioned[struct {
		Type string `yaml:"type"`
		UID  string `yaml:"uid"`
	}](filepath.Join("grafana", "provisioning", "datasources"), "datasources", func(f string, a ...any) { t.Errorf(f, a...) }) {
		if ds.Type == "prometheus" {
			uids = append(uids, ds.UID)
		}
	}
	if len(uids) != 1 || uids[0] == "" {
		t.Fatalf("provisioned prometheus data sources: %q, want one with a uid", uids)
	}
	return uids[0]
}

// checkAppEnv checks that a followup service can reach Postgres and Temporal
// and is given the channel secrets.
func checkAppEnv(name string, s, pg types.ServiceConfig, bad func(string, ...any)) {
	dsn := env(s, "DATABASE_URL")
	u, err := url.Parse(dsn)
	switch {
	case dsn == "":
		bad("%s: DATABASE_URL is not set", name)
	case err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql"):
		bad("%s: DATABASE_URL %q is not a postgres:// URL", name, dsn)
	default:
		pw, _ := u.User.Password()
		if u.Hostname() != "postgres" {
			bad("%s: DATABASE_URL host %q is not the postgres service", name, u.Hostname())
		}
		if u.User.Username() != env(pg, "POSTGRES_USER") || pw != env(pg, "POSTGRES_PASSWORD") {
			bad("%s: DATABASE_URL credentials do not match the postgres service's", name)
		}
		if strings.TrimPrefix(u.Path, "/") != env(pg, "POSTGRES_DB") {
			bad("%s: DATABASE_URL database %q is not POSTGRES_DB %q", name, u.Path, env(pg, "POSTGRES_DB"))
		}
	}
	if a := env(s, "TEMPORAL_ADDRESS"); a != "temporal:7233" {
		bad("%s: TEMPORAL_ADDRESS is %q, want temporal:7233", name, a)
	}
	if env(s, "TEMPORAL_NAMESPACE") == "" {
		bad("%s: TEMPORAL_NAMESPACE is not set", name)
	}
	for _, k := range []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "META_APP_SECRET", "TELEGRAM_BOT_TOKEN", "TWILIO_AUTH_TOKEN"} {
		if _, ok := s.Environment[k]; !ok {
			bad("%s: %s is not passed through", name, k)
		}
	}
}

func env(s types.ServiceConfig, k string) string {
	if v := s.Environment[k]; v != nil {
		return *v
	}
	return ""
}

func healthTest(s types.ServiceConfig) string {
	if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Test[0] == "NONE" {
		return ""
	}
	return strings.Join(s.HealthCheck.Test, " ")
}

func publishes(s types.ServiceConfig, target uint32) bool {
	for _, p := range s.Ports {
		if p.Target == target && p.Published != "" {
			return true
		}
	}
	return false
}

func hasVolumeAt(s types.ServiceConfig, dir string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume || v.Type == types.VolumeTypeBind {
			if rel, err := filepath.Rel(v.Target, dir); err == nil && !strings.HasPrefix(rel, "..") {
				return true
			}
		}
	}
	return false
}

// parseFlags reads `--name value` and `--name=value` flags from a command line.
func parseFlags(args []string) map[string][]string {
	flags := map[string][]string{}
	for i := 0; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok {
			continue
		}
		if k, v, ok := strings.Cut(name, "="); ok {
			flags[k] = append(flags[k], v)
		} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			flags[name] = append(flags[name], args[i+1])
			i++
		} else {
			flags[name] = append(flags[name], "true")
		}
	}
	return flags
}

func lastFlag(flags map[string][]string, name string) string {
	if v := flags[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, …
	args string
}

// stage is one FROM … section of a Dockerfile.
type stage struct {
	image, name string
	instrs      []instruction
}

func parseDockerfile(src string) []stage {
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			for len(f) > 0 && strings.HasPrefix(f[0], "--") { // --platform=…
				f = f[1:]
			}
			st := stage{}
			if len(f) > 0 {
				st.image = f[0]
			}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) > 0 {
			stages[len(stages)-1].instrs = append(stages[len(stages)-1].instrs, in)
		}
	}
	for _, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") {
			continue // comments, parser directives, and comments inside continuations
		}
		if l, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(l + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	return stages
}

// envValues reads ENV instructions of the KEY=VALUE form.
func envValues(st stage) map[string]string {
	vals := map[string]string{}
	for _, in := range st.instrs {
		if in.cmd != "ENV" {
			continue
		}
		for _, f := range strings.Fields(in.args) {
			if k, v, ok := strings.Cut(f, "="); ok {
				vals[k] = strings.Trim(v, `"`)
			}
		}
	}
	return vals
}

// dockerfileProblems lists what is wrong with the Dockerfile.
func dockerfileProblems(src string) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	stages := parseDockerfile(src)
	if len(stages) < 2 {
		return []string{fmt.Sprintf("%d stage(s); want a multi-stage build (Go builder → small runtime image)", len(stages))}
	}
	build, final := stages[0], stages[len(stages)-1]
	if !strings.HasPrefix(build.image, "golang:1.26") {
		bad("builder image %q is not golang:1.26", build.image)
	}
	if build.name == "" {
		bad("builder stage has no name (FROM … AS build)")
	}
	var goBuild string
	for _, in := range build.instrs {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	out := ""
	if goBuild == "" {
		bad("builder runs no `go build`")
	} else {
		if !strings.Contains(goBuild, "./cmd/followup") {
			bad("`go build` does not build ./cmd/followup: %s", goBuild)
		}
		if !strings.Contains(goBuild, "-trimpath") {
			bad("`go build` lacks -trimpath: %s", goBuild)
		}
		f := strings.Fields(goBuild)
		if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
			out = f[i+1]
		}
	}
	if envValues(build)["CGO_ENABLED"] != "0" && !strings.Contains(goBuild, "CGO_ENABLED=0") {
		bad("CGO_ENABLED=0 is not set for the build: the binary would need libc")
	}

	if strings.HasPrefix(final.image, "golang") {
		bad("runtime image %q is the Go toolchain, not a small base", final.image)
	}
	var binary string // where the runtime stage puts the binary
	var user string
	var entry []string
	for _, in := range final.instrs {
		switch in.cmd {
		case "COPY":
			f := strings.Fields(in.args)
			if len(f) >= 3 && (f[0] == "--from="+build.name || f[0] == "--from=0") {
				if out == "" || f[1] == out {
					binary = f[len(f)-1]
				}
			}
		case "USER":
			user = in.args
		case "ENTRYPOINT":
			entry = nil
			if err := json.Unmarshal([]byte(in.args), &entry); err != nil {
				bad("ENTRYPOINT %s is not exec form (a JSON array): %v", in.args, err)
			}
		}
	}
	if binary == "" {
		bad("runtime stage does not COPY the built binary (%s) from the builder", out)
	}
	// Liveness for `followup serve`, the image's default command.
	var hc []string
	for _, in := range final.instrs {
		if in.cmd == "HEALTHCHECK" {
			hc = append(hc, in.args)
		}
	}
	if len(hc) != 1 || !strings.Contains(hc[0], "127.0.0.1:8080/healthz") {
		bad("runtime stage HEALTHCHECK %q does not probe 127.0.0.1:8080/healthz", hc)
	}
	name, _, _ := strings.Cut(user, ":")
	switch name {
	case "":
		bad("runtime stage sets no USER: the app would run as root")
	case "root", "0":
		bad("runtime stage runs as root (USER %s)", user)
	}
	if len(entry) == 0 || path.Base(entry[0]) != "followup" {
		bad("ENTRYPOINT %q is not followup", entry)
	} else if binary != "" && entry[0] != binary && path.Base(binary) == "followup" &&
		!slices.Contains([]string{"/usr/local/bin", "/usr/bin", "/bin"}, path.Dir(binary)) {
		bad("ENTRYPOINT %q is not on PATH and not the copied binary %q", entry[0], binary)
	}
	return probs
}

// finalImage is the runtime stage's base image.
func finalImage(src string) string {
	st := parseDockerfile(src)
	if len(st) == 0 {
		return ""
	}
	return st[len(st)-1].image
}

func TestComposeFile(t *testing.T) {
	p, err := loadCompose(t, readFile(t, "docker-compose.yml"))
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	for _, prob := range composeProblems(repoRoot(t), p) {
		t.Error(prob)
	}

	// The app healthcheck execs wget or curl inside the image, so the runtime
	// image must have a shell userland: not scratch or distroless.
	hc := p.Services["app"].HealthCheck
	base := finalImage(readFile(t, "Dockerfile"))
	if hc != nil && len(hc.Test) > 1 && (strings.Contains(hc.Test[1], "wget") || strings.Contains(hc.Test[1], "curl")) {
		if base == "scratch" || strings.Contains(base, "distroless") {
			t.Errorf("app healthcheck runs %s, which the runtime image %s lacks", hc.Test[1], base)
		}
	}
}

func TestDockerfile(t *testing.T) {
	for _, prob := range dockerfileProblems(readFile(t, "Dockerfile")) {
		t.Error(prob)
	}
}

// TestDockerignore checks that the build context keeps what the build needs
// and drops the git history and local state.
func TestDockerignore(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(readFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimPrefix(l, "/"))
		}
	}
	ignored := func(p string) bool {
		out := false
		for _, pat := range patterns {
			neg := strings.HasPrefix(pat, "!")
			pat = strings.TrimSuffix(strings.TrimPrefix(pat, "!"), "/")
			cands := []string{pat}
			if rest, ok := strings.CutPrefix(pat, "**/"); ok {
				cands = append(cands, rest)
			}
			parts := strings.Split(p, "/")
			for i := range parts {
				prefix := strings.Join(parts[:i+1], "/")
				for _, c := range cands {
					if ok, _ := path.Match(c, prefix); ok {
						out = !neg
					}
					if strings.HasPrefix(pat, "**/") {
						if ok, _ := path.Match(c, parts[i]); ok {
							out = !neg
						}
					}
				}
			}
		}
		return out
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd/followup/main.go", "schema/schema.go", "schema/migrations/00001_init.sql", "workflows/api.go"} {
		if ignored(need) {
			t.Errorf(".dockerignore drops %s, which the build needs", need)
		}
	}
	for _, drop := range []string{".git", ".followup"} {
		if !ignored(drop) {
			t.Errorf(".dockerignore keeps %s in the build context", drop)
		}
	}
}

// TestChecksCatchBreakage runs the checks on broken copies of the files: each
// must be rejected, or the checks above prove nothing.
func TestChecksCatchBreakage(t *testing.T) {
	compose := readFile(t, "docker-compose.yml")
	composeCases := []struct{ name, old, new string }{
		{"worker service removed", "\n  worker:\n", "\n  worker-disabled:\n"},
		{"postgres healthcheck removed", `test: ["CMD", "pg_isready", "-U", "followup", "-d", "followup"]`, `test: ["NONE"]`},
		{"search attribute dropped", "- FollowupStatus=Keyword", "- --log-level\n      - warn"},
		{"search attribute mistyped", "FollowupVIP=Bool", "FollowupVIP=Keyword"},
		{"deprecated auto-setup image", "image: temporalio/temporal:", "image: temporalio/auto-setup:"},
		{"temporal on loopback", "- --ip\n      - 0.0.0.0", "- --ip\n      - 127.0.0.1"},
		{"migrate not awaited", "condition: service_completed_successfully", "condition: service_started"},
		{"DATABASE_URL missing", "    DATABASE_URL: ", "    DATABASE_URL_UNUSED: "},
		{"DATABASE_URL wrong password", "postgres://followup:${POSTGRES_PASSWORD:-followup}@", "postgres://followup:secret@"},
		{"TEMPORAL_ADDRESS on localhost", "TEMPORAL_ADDRESS: temporal:7233", "TEMPORAL_ADDRESS: localhost:7233"},
		{"app port unpublished", `- "8080:8080"`, `- "127.0.0.1::9090"`},
		{"UI port unpublished", `- "8233:8233"`, `- "7243:7243"`},
		{"wrong subcommand", `command: ["serve"]`, `command: ["dev"]`},
		{"app healthcheck elsewhere", "http://127.0.0.1:8080/readyz", "http://127.0.0.1:8080/"},
		{"app healthy when merely live", "http://127.0.0.1:8080/readyz", "http://127.0.0.1:8080/healthz"},
		{"migrate inherits the HTTP healthcheck", "    healthcheck:\n      disable: true\n", ""},
		{"worker metrics not served", "METRICS_ADDR: 0.0.0.0:9091", "METRICS_ADDR_UNUSED: 0.0.0.0:9091"},
		{"worker healthcheck elsewhere", "http://127.0.0.1:9091/metrics", "http://127.0.0.1:8080/healthz"},
		{"prometheus unpinned", "image: prom/prometheus:v3.5.0", "image: prom/prometheus:latest"},
		{"grafana outside the profile", "image: grafana/grafana:12.0.2\n    profiles: [\"monitoring\"]", "image: grafana/grafana:12.0.2"},
		{"prometheus configuration not bound", "prometheus.yml:/etc/prometheus/prometheus.yml:ro", "prometheus.yml:/etc/prometheus/other.yml:ro"},
		{"dashboards not bound", "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro", "./deploy/grafana:/var/lib/grafana/dashboards:ro"},
		{"grafana provisioning not bound", "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro", "./deploy/grafana/provisioning:/etc/grafana/other:ro"},
		{"invalid depends_on condition", "condition: service_healthy", "condition: service_ready"},
	}
	for _, c := range composeCases {
		t.Run("compose/"+c.name, func(t *testing.T) {
			if !strings.Contains(compose, c.old) {
				t.Fatalf("docker-compose.yml no longer contains %q; update this case", c.old)
			}
			p, err := loadCompose(t, strings.Replace(compose, c.old, c.new, 1))
			if err != nil {
				t.Logf("rejected by the compose loader: %v", err)
				return
			}
			probs := composeProblems(repoRoot(t), p)
			if len(probs) == 0 {
				t.Error("broken docker-compose.yml passes the checks")
			}
			t.Logf("rejected: %s", strings.Join(probs, "; "))
		})
	}

	dockerfile := readFile(t, "Dockerfile")
	dockerCases := []struct{ name, old, new string }{
		{"single stage", "FROM alpine:", "# FROM alpine:"},
		{"runs as root", "USER 10001:10001", "USER root"},
		{"no USER", "USER 10001:10001", ""},
		{"cgo enabled", "CGO_ENABLED=0", "CGO_ENABLED=1"},
		{"other package built", "./cmd/followup", "./cmd/other"},
		{"shell entrypoint", `ENTRYPOINT ["followup"]`, `ENTRYPOINT ["/bin/sh"]`},
		{"shell-form entrypoint", `ENTRYPOINT ["followup"]`, `ENTRYPOINT followup`},
		{"binary not copied", "COPY --from=build", "COPY --from=elsewhere"},
		{"no HEALTHCHECK", "HEALTHCHECK --interval", "LABEL --interval"},
		{"HEALTHCHECK on readiness", `8080/healthz"]`, `8080/readyz"]`},
	}
	for _, c := range dockerCases {
		t.Run("dockerfile/"+c.name, func(t *testing.T) {
			if !strings.Contains(dockerfile, c.old) {
				t.Fatalf("Dockerfile no longer contains %q; update this case", c.old)
			}
			probs := dockerfileProblems(strings.Replace(dockerfile, c.old, c.new, 1))
			if len(probs) == 0 {
				t.Error("broken Dockerfile passes the checks")
			}
			t.Logf("rejected: %s", strings.Join(probs, "; "))
		})
	}
}
