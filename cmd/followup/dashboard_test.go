package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/deploy"
)

// TestDashboardMetricsExported runs `followup dev`, checks it is ready,
// drives a send, a refusal, a webhook, a slash command and a cancelled
// follow-up, and then checks that every metric the Grafana dashboard
// (deploy/grafana/dashboards/followup.json) queries is on /metrics: a
// dashboard panel that reads a metric nobody exports stays empty.
func TestDashboardMetricsExported(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "dashboards", "followup.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := deploy.ParseDashboard(b)
	if err != nil {
		t.Fatal(err)
	}
	want := d.Metrics()

	c := newCLI(t)
	port := freePort(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)
	base := "http://" + c.env["HTTP_ADDR"]

	if code, body := httpGet(t, base+"/readyz"); code != 200 || body != "ok\n" {
		t.Errorf("readyz with Postgres and Temporal up: %d %q", code, body)
	}
	c.ok("send", "jane.doe@demo.followup.dev", "Your refund has landed")
	if code, out, errs := c.run("", "send", "carlos.ruiz@demo.followup.dev", "--via", "whatsapp", "Hi"); code != 1 {
		t.Errorf("refusal: exit %d %s%s", code, out, errs)
	}
	c.ok("reply", "Liam Murphy", "telegram", "thanks")
	c.ok("slash", "find jane")
	c.ok("cancel", "jane.doe@demo.followup.dev")

	// The workflow's counters reach the registry through the Temporal SDK,
	// a moment after the command returns.
	var missing []string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		code, body := httpGet(t, base+"/metrics")
		if code != 200 {
			t.Fatalf("metrics: %d", code)
		}
		got := exportedMetrics(body)
		missing = missing[:0]
		for _, m := range want {
			if !got[m] {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, m := range missing {
		t.Errorf("the dashboard queries %s, which /metrics of followup dev does not export", m)
	}
}

// exportedMetrics lists the series names an exposition (Prometheus text
// format) holds, with a histogram's _bucket, _sum and _count.
func exportedMetrics(body string) map[string]bool {
	got := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			got[f[2]] = true
			if f[3] == "histogram" {
				for _, s := range []string{"_bucket", "_sum", "_count"} {
					got[f[2]+s] = true
				}
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			got[line[:i]] = true
		}
	}
	return got
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
