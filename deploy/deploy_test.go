// Package deploy holds the example deployments of Cairn (Docker Compose, Kubernetes) and
// the tests that keep them consistent with Cairn.
package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// doc is one parsed YAML document.
type doc = map[string]any

// get walks a path of map keys and list indexes ("spec.template.spec.containers.0").
func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path string) string {
	s, _ := get(v, path).(string)
	return s
}

// readDocs parses every YAML document of a file, refusing duplicate keys and tabs.
func readDocs(t *testing.T, path string) []doc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []doc
	for {
		var d doc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// TestKubernetesManifests checks deploy/k8s: every object has its kind's API version and
// a name, the kustomization lists every file, and the Deployment runs three replicas of
// the Cairn image with CAIRN_SECRET_KEY and CAIRN_DATABASE_URL from the Secret, probes
// on /readyz and /healthz at the container's port, and a Service and a disruption budget
// that select its pods. With kubectl on the PATH, kubectl kustomize builds the folder.
func TestKubernetesManifests(t *testing.T) {
	apiVersions := map[string]string{
		"Deployment": "apps/v1", "Service": "v1", "Secret": "v1", "Ingress": "networking.k8s.io/v1",
		"PodDisruptionBudget": "policy/v1", "Kustomization": "kustomize.config.k8s.io/v1beta1",
	}
	files, err := filepath.Glob(filepath.Join("k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	byKind := map[string]doc{}
	var resources []string
	for _, f := range files {
		for _, d := range readDocs(t, f) {
			kind := str(d, "kind")
			want, known := apiVersions[kind]
			if !known {
				t.Errorf("%s: kind %q is not one this test knows; add it with its apiVersion", f, kind)
				continue
			}
			if got := str(d, "apiVersion"); got != want {
				t.Errorf("%s: %s has apiVersion %q, want %q", f, kind, got, want)
			}
			if kind == "Kustomization" {
				for _, r := range get(d, "resources").([]any) {
					resources = append(resources, r.(string))
				}
				continue
			}
			if str(d, "metadata.name") == "" {
				t.Errorf("%s: %s has no metadata.name", f, kind)
			}
			if _, dup := byKind[kind]; dup {
				t.Errorf("%s: a second %s", f, kind)
			}
			byKind[kind] = d
		}
	}
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(resources, base) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	for _, r := range resources {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}

	dep, secret, svc, pdb, ing := byKind["Deployment"], byKind["Secret"], byKind["Service"], byKind["PodDisruptionBudget"], byKind["Ingress"]
	if dep == nil || secret == nil || svc == nil || pdb == nil || ing == nil {
		t.Fatalf("want a Deployment, Secret, Service, PodDisruptionBudget and Ingress; have %v", slices.Collect(mapsKeys(byKind)))
	}
	if n, _ := get(dep, "spec.replicas").(int); n != 3 {
		t.Errorf("the Deployment runs %v replicas, want 3", get(dep, "spec.replicas"))
	}
	podLabels, _ := get(dep, "spec.template.metadata.labels").(map[string]any)
	selects := func(what string, sel any) {
		m, _ := sel.(map[string]any)
		if len(m) == 0 {
			t.Errorf("%s selects nothing", what)
		}
		for k, v := range m {
			if podLabels[k] != v {
				t.Errorf("%s selects %s=%v, which the pods do not carry (%v)", what, k, v, podLabels)
			}
		}
	}
	selects("the Deployment", get(dep, "spec.selector.matchLabels"))
	selects("the Service", get(svc, "spec.selector"))
	selects("the PodDisruptionBudget", get(pdb, "spec.selector.matchLabels"))
	if m, _ := get(pdb, "spec.minAvailable").(int); m < 1 || m >= 3 {
		t.Errorf("the disruption budget keeps %v pods of 3 available; want at least one and room to roll", get(pdb, "spec.minAvailable"))
	}

	c := get(dep, "spec.template.spec.containers.0")
	if img := str(c, "image"); !strings.Contains(img, "cairn") || !strings.Contains(img, ":") {
		t.Errorf("the container's image %q is not a tagged Cairn image", img)
	}
	portName, port := str(c, "ports.0.name"), get(c, "ports.0.containerPort")
	env := map[string]any{}
	for _, e := range get(c, "env").([]any) {
		env[str(e, "name")] = e
	}
	if addr := str(env["CAIRN_ADDR"], "value"); !strings.HasSuffix(addr, ":8080") || port != 8080 || strings.HasPrefix(addr, "127.") {
		t.Errorf("CAIRN_ADDR %q does not listen on the container port %v for other pods", addr, port)
	}
	for _, name := range []string{"CAIRN_SECRET_KEY", "CAIRN_DATABASE_URL"} {
		e := env[name]
		if e == nil {
			t.Errorf("the container has no %s", name)
			continue
		}
		if str(e, "value") != "" {
			t.Errorf("%s is written into the Deployment; take it from the Secret", name)
		}
		ref, key := str(e, "valueFrom.secretKeyRef.name"), str(e, "valueFrom.secretKeyRef.key")
		if ref != str(secret, "metadata.name") || get(secret, "stringData."+key) == nil {
			t.Errorf("%s comes from secret %q key %q, which the Secret %q does not hold", name, ref, key, str(secret, "metadata.name"))
		}
	}
	if d := str(env["CAIRN_DEBUG_ADDR"], "value"); d != "" && !strings.HasPrefix(d, "127.0.0.1:") {
		t.Errorf("CAIRN_DEBUG_ADDR %q is not on the loopback", d)
	}
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
		if got := str(c, probe+".httpGet.path"); got != path {
			t.Errorf("%s path %q, want %s", probe, got, path)
		}
		if p := get(c, probe+".httpGet.port"); p != portName && p != port {
			t.Errorf("%s port %v is not the container's port %s/%v", probe, p, portName, port)
		}
	}
	if tp := get(svc, "spec.ports.0.targetPort"); tp != portName && tp != port {
		t.Errorf("the Service targets port %v, not the container's %s/%v", tp, portName, port)
	}
	if b := str(ing, "spec.rules.0.http.paths.0.backend.service.name"); b != str(svc, "metadata.name") {
		t.Errorf("the Ingress sends to service %q, not %q", b, str(svc, "metadata.name"))
	}
	if g, _ := get(dep, "spec.template.spec.terminationGracePeriodSeconds").(int); g <= 30 {
		t.Errorf("terminationGracePeriodSeconds %v leaves Cairn's 30 s shutdown no room", g)
	}

	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		out, err := exec.Command(kubectl, "kustomize", "k8s").CombinedOutput()
		if err != nil {
			t.Errorf("kubectl kustomize k8s: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Error("CI=true but kubectl is not on the PATH: .ci/run installs kubernetes-client to build the manifests")
	} else {
		t.Log("kubectl is not on the PATH; the kustomize build is not checked")
	}
}

func mapsKeys(m map[string]doc) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestDockerCompose checks deploy/docker-compose.yml: three Cairn replicas on the
// PostgreSQL service, started once it is healthy, sharing CAIRN_SECRET_KEY from the
// environment, behind a load balancer that names all three and checks /readyz. With
// docker-compose (or docker compose) on the PATH, its config command validates the file.
func TestDockerCompose(t *testing.T) {
	docs := readDocs(t, "docker-compose.yml")
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	services, _ := get(docs[0], "services").(map[string]any)
	if get(services, "postgres.healthcheck.test") == nil {
		t.Error("the postgres service has no health check")
	}
	var replicas []string
	for name, s := range services {
		if !strings.Contains(str(s, "image"), "cairn") {
			continue
		}
		replicas = append(replicas, name)
		if got := str(s, "depends_on.postgres.condition"); got != "service_healthy" {
			t.Errorf("%s starts on postgres %q, want service_healthy", name, got)
		}
		url := str(s, "environment.CAIRN_DATABASE_URL")
		if !strings.HasPrefix(url, "postgres://") || !strings.Contains(url, "@postgres:5432/") {
			t.Errorf("%s: CAIRN_DATABASE_URL %q is not the postgres service", name, url)
		}
		if k := str(s, "environment.CAIRN_SECRET_KEY"); !strings.HasPrefix(k, "${CAIRN_SECRET_KEY:?") {
			t.Errorf("%s: CAIRN_SECRET_KEY %q is not required from the environment", name, k)
		}
		if a := str(s, "environment.CAIRN_ADDR"); !strings.HasSuffix(a, ":8080") || strings.HasPrefix(a, "127.") {
			t.Errorf("%s: CAIRN_ADDR %q", name, a)
		}
	}
	slices.Sort(replicas)
	if len(replicas) != 3 {
		t.Fatalf("%d Cairn services (%v), want 3", len(replicas), replicas)
	}
	caddy, err := os.ReadFile("Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range replicas {
		if !bytes.Contains(caddy, []byte(r+":8080")) {
			t.Errorf("the Caddyfile does not send to %s:8080", r)
		}
	}
	if !bytes.Contains(caddy, []byte("health_uri /readyz")) {
		t.Error("the Caddyfile does not check /readyz")
	}
	if !slices.ContainsFunc(get(services, "caddy.volumes").([]any), func(v any) bool { return strings.HasPrefix(v.(string), "./Caddyfile:") }) {
		t.Error("the caddy service does not mount the Caddyfile")
	}

	var cmd *exec.Cmd
	if p, err := exec.LookPath("docker-compose"); err == nil {
		cmd = exec.Command(p, "-f", "docker-compose.yml", "config", "-q")
	} else if p, err := exec.LookPath("docker"); err == nil && exec.Command(p, "compose", "version").Run() == nil {
		cmd = exec.Command(p, "compose", "-f", "docker-compose.yml", "config", "-q")
	}
	if cmd == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but neither docker-compose nor docker compose is on the PATH: .ci/run installs docker-compose to validate the file")
		}
		t.Log("neither docker-compose nor docker compose is on the PATH; the file is not validated by Compose")
		return
	}
	cmd.Env = append(os.Environ(), "CAIRN_SECRET_KEY=k:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "POSTGRES_PASSWORD=p")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%v: %v\n%s", cmd.Args, err, out)
	}
	// Without the key, Compose refuses to start anything.
	cmd = exec.Command(cmd.Args[0], cmd.Args[1:]...)
	cmd.Env = append(os.Environ(), "CAIRN_SECRET_KEY=", "POSTGRES_PASSWORD=p")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "CAIRN_SECRET_KEY") {
		t.Errorf("Compose accepts the file without CAIRN_SECRET_KEY: %v\n%s", err, out)
	}
}

// TestDockerfile checks that the image builds the static cairn binary and runs serve as
// a user other than root.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"CGO_ENABLED=0 go build", "./cmd/cairn", "-X main.version=", `ENTRYPOINT ["/usr/local/bin/cairn"]`, `CMD ["serve"]`, "USER 65532", "CAIRN_ADDR=0.0.0.0:8080", "EXPOSE 8080"} {
		if !strings.Contains(s, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
	if froms := strings.Count(s, "\nFROM "); froms < 1 {
		t.Error("the Dockerfile is not a multi-stage build")
	}
}

// TestPrometheusAlerts checks deploy/prometheus/alerts.yml: each rule has a name, an
// expression, a duration and a summary, and every cairn_* metric it reads is one that
// Cairn's code registers.
func TestPrometheusAlerts(t *testing.T) {
	docs := readDocs(t, filepath.Join("prometheus", "alerts.yml"))
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	var source bytes.Buffer
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			source.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	metricRE := regexp.MustCompile(`cairn_[a-z_]+`)
	names := map[string]bool{}
	for _, g := range get(docs[0], "groups").([]any) {
		for _, r := range get(g, "rules").([]any) {
			name, expr := str(r, "alert"), str(r, "expr")
			names[name] = true
			if name == "" || expr == "" || str(r, "for") == "" || str(r, "annotations.summary") == "" {
				t.Errorf("rule %q lacks a name, expression, duration or summary", name)
			}
			for _, m := range metricRE.FindAllString(expr, -1) {
				base := m
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					base = strings.TrimSuffix(base, suffix)
				}
				if !bytes.Contains(source.Bytes(), []byte(`"`+base+`"`)) {
					t.Errorf("rule %s reads %s, which no Go file registers", name, m)
				}
			}
		}
	}
	for _, want := range []string{"CairnSyncFailures", "CairnHookLag", "CairnJobQueueBacklog", "CairnJobQueueDepth"} {
		if !names[want] {
			t.Errorf("no rule %s", want)
		}
	}
}
