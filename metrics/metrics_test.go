package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/metrics"
	"github.com/followup-dev/followup/store"
)

// scripted answers each send with the next of errs after wait.
type scripted struct {
	wait time.Duration
	errs []error
}

func (s *scripted) Send(context.Context, channels.Outbound) (channels.Sent, error) {
	time.Sleep(s.wait)
	err := s.errs[0]
	s.errs = s.errs[1:]
	if err != nil {
		return channels.Sent{}, err
	}
	return channels.Sent{ProviderID: "p1"}, nil
}

func newMetrics(t *testing.T) *metrics.Metrics {
	t.Helper()
	m, err := metrics.New()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSendersObserveLatencyAndErrorClasses(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	tg := &scripted{wait: 30 * time.Millisecond, errs: []error{
		nil,
		&followup.SendError{Class: followup.RecipientGone, Code: "403", Message: "blocked"},
		errors.New("dial tcp: connection refused"),
		&followup.SendError{Class: followup.Retryable, Code: "429", Message: "slow down"},
	}}
	senders := m.Senders(map[followup.Channel]channels.Sender{followup.Telegram: tg})
	for range 4 {
		_, _ = senders[followup.Telegram].Send(context.Background(), channels.Outbound{Channel: followup.Telegram})
	}
	// The error reaches the caller unchanged.
	if _, err := m.Senders(map[followup.Channel]channels.Sender{followup.LINE: &scripted{errs: []error{&followup.SendError{Class: followup.Permanent}}}})[followup.LINE].
		Send(context.Background(), channels.Outbound{}); !errors.As(err, new(*followup.SendError)) {
		t.Fatalf("the decorator changed the error: %v", err)
	}

	want := `
# HELP followup_provider_errors_total Sends a provider refused or that failed in transport, by channel and class (retryable, window_closed, recipient_gone, permanent, transport).
# TYPE followup_provider_errors_total counter
followup_provider_errors_total{channel="line",class="permanent"} 1
followup_provider_errors_total{channel="telegram",class="recipient_gone"} 1
followup_provider_errors_total{channel="telegram",class="retryable"} 1
followup_provider_errors_total{channel="telegram",class="transport"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "followup_provider_errors_total"); err != nil {
		t.Fatal(err)
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "followup_provider_request_duration_seconds" {
			continue
		}
		for _, s := range f.GetMetric() {
			if s.GetLabel()[0].GetValue() != "telegram" {
				continue
			}
			h := s.GetHistogram()
			if h.GetSampleCount() != 4 || h.GetSampleSum() < 4*0.03 {
				t.Fatalf("telegram latency: %d samples, %.3f s", h.GetSampleCount(), h.GetSampleSum())
			}
			// Every send took at least 30 ms: none fits the 25 ms bucket.
			if b := h.GetBucket()[0]; b.GetUpperBound() != 0.025 || b.GetCumulativeCount() != 0 {
				t.Fatalf("first bucket: %v", b)
			}
			return
		}
	}
	t.Fatal("no telegram latency")
}

func TestNilMetricsCountNothing(t *testing.T) {
	t.Parallel()
	var m *metrics.Metrics
	s := map[followup.Channel]channels.Sender{followup.SMS: &scripted{errs: []error{nil}}}
	if got := m.Senders(s); got[followup.SMS] != s[followup.SMS] {
		t.Fatal("nil metrics should leave the senders as they are")
	}
	m.Webhook(followup.SMS, metrics.Accepted)
	m.SlackAck("find", time.Millisecond)
	if m.Temporal() != nil || m.WatchBacklog(nil) != nil {
		t.Fatal("nil metrics has no handler and watches nothing")
	}
}

// backlog is a database answering fixed counts, or failing.
type backlog struct {
	undelivered int
	pending     map[string]int
	err         error
	since       time.Time
}

func (b *backlog) CountUndeliveredNotifications(_ context.Context, since time.Time) (int, error) {
	b.since = since
	return b.undelivered, b.err
}

func (b *backlog) CountMessagesByStatus(context.Context, ...string) (map[string]int, error) {
	return b.pending, b.err
}

func TestBacklogGaugesReadAtScrape(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	db := &backlog{undelivered: 3, pending: map[string]int{"pending": 2, "unconfirmed": 1}}
	if err := m.WatchBacklog(db); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP followup_backlog_up 1 if the last scrape could read the backlog gauges from Postgres, else 0.
# TYPE followup_backlog_up gauge
followup_backlog_up 1
# HELP followup_messages_pending Outbound messages not resolved, by status (pending, sending, unconfirmed).
# TYPE followup_messages_pending gauge
followup_messages_pending{status="pending"} 2
followup_messages_pending{status="sending"} 0
followup_messages_pending{status="unconfirmed"} 1
# HELP followup_notifications_undelivered Notifications to agents not yet delivered to Slack, waiting for redelivery.
# TYPE followup_notifications_undelivered gauge
followup_notifications_undelivered 3
`
	names := []string{"followup_backlog_up", "followup_messages_pending", "followup_notifications_undelivered"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(db.since); d < metrics.RedeliveryWindow || d > metrics.RedeliveryWindow+time.Minute {
		t.Fatalf("counted notifications since %s ago", d)
	}
	// The next scrape reads again.
	db.undelivered = 0
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(strings.Replace(want, "undelivered 3", "undelivered 0", 1)), names...); err != nil {
		t.Fatal(err)
	}
	// A database that fails drops the gauges and says so.
	db.err = errors.New("connection refused")
	want = `
# HELP followup_backlog_up 1 if the last scrape could read the backlog gauges from Postgres, else 0.
# TYPE followup_backlog_up gauge
followup_backlog_up 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
}

func TestBacklogFromPostgres(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	m := newMetrics(t)
	if err := m.WatchBacklog(st); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP followup_backlog_up 1 if the last scrape could read the backlog gauges from Postgres, else 0.
# TYPE followup_backlog_up gauge
followup_backlog_up 1
# HELP followup_messages_pending Outbound messages not resolved, by status (pending, sending, unconfirmed).
# TYPE followup_messages_pending gauge
followup_messages_pending{status="pending"} 0
followup_messages_pending{status="sending"} 0
followup_messages_pending{status="unconfirmed"} 0
# HELP followup_notifications_undelivered Notifications to agents not yet delivered to Slack, waiting for redelivery.
# TYPE followup_notifications_undelivered gauge
followup_notifications_undelivered 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"followup_backlog_up", "followup_messages_pending", "followup_notifications_undelivered"); err != nil {
		t.Fatal(err)
	}
}
