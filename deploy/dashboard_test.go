package deploy_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/followup-dev/followup/deploy"
)

func TestPromQLMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want []string
	}{
		{`sum by (channel, outcome) (rate(followup_messages_total[$__rate_interval]))`, []string{"followup_messages_total"}},
		{`sum by (reason) (rate(followup_messages_total{outcome="refused", reason=~"a(b)"}[5m]))`, []string{"followup_messages_total"}},
		{`histogram_quantile(0.99, sum by (verb, le) (rate(followup_slack_ack_duration_seconds_bucket[${__rate_interval}])))`, []string{"followup_slack_ack_duration_seconds_bucket"}},
		{`max(followup_notifications_undelivered) / on (job) group_left (instance) up offset 5m > bool 1e3`, []string{"followup_notifications_undelivered", "up"}},
		{`a_total + b:recorded:rate5m unless c`, []string{"a_total", "b:recorded:rate5m", "c"}},
		{`label_replace(x, "dst", "$1", "src", "(.*)")`, []string{"x"}},
	}
	for _, tt := range tests {
		if got := deploy.PromQLMetrics(tt.expr); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// dashboardMetrics are what the issue asks the dashboard to show (#13): a
// metric missing here is a panel missing there.
var dashboardMetrics = []string{
	"followup_messages_total",                                 // sends per channel and outcome, refusals by reason, unconfirmed
	"followup_slack_ack_duration_seconds_bucket",              // Slack ack latency p99
	"followup_webhooks_total",                                 // webhook verdicts
	"followup_messages_pending",                               // pending messages
	"followup_notifications_undelivered",                      // notifications waiting
	"temporal_workflow_task_execution_latency_seconds_bucket", // workflow task latency (Temporal SDK, OpenTelemetry exporter)
}

// TestDashboard checks the dashboard's shape: every panel queries the
// provisioned Prometheus, and the panels the issue asks for are there.
// That each metric is exported is checked against a running `followup
// dev` (cmd/followup TestDashboardMetricsExported).
func TestDashboard(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("grafana", "dashboards", "followup.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := deploy.ParseDashboard(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard without uid, title or panels: %+v", d)
	}
	uid := provisionedDatasourceUID(t)
	for _, p := range d.Panels {
		if p.Datasource.UID != uid {
			t.Errorf("panel %q: data source %q, want the provisioned %q", p.Title, p.Datasource.UID, uid)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Expr == "" || len(deploy.PromQLMetrics(tg.Expr)) == 0 {
				t.Errorf("panel %q: query %q reads no metric", p.Title, tg.Expr)
			}
			if tg.Datasource.UID != "" && tg.Datasource.UID != uid {
				t.Errorf("panel %q: query data source %q, want %q", p.Title, tg.Datasource.UID, uid)
			}
		}
	}
	got := d.Metrics()
	for _, m := range dashboardMetrics {
		if !slices.Contains(got, m) {
			t.Errorf("no panel queries %s", m)
		}
	}
}
