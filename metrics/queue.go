package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Backlog is what the queue gauges read from the database at scrape time.
type Backlog interface {
	// CountUndeliveredNotifications counts notifications to agents created
	// since, not yet delivered to Slack: those waiting for redelivery.
	CountUndeliveredNotifications(ctx context.Context, since time.Time) (int, error)
	// CountMessagesByStatus counts outbound messages in each of statuses.
	CountMessagesByStatus(ctx context.Context, statuses ...string) (map[string]int, error)
}

// RedeliveryWindow is how far back the Slack notifier redelivers
// notifications (bot.Notifier): older ones are no longer waiting.
const RedeliveryWindow = time.Hour

// PendingStatuses are the message statuses followup_messages_pending reports.
var PendingStatuses = []string{"pending", "sending", "unconfirmed"}

// scrapeTimeout bounds the queries of one scrape: a slow database makes
// the gauges go missing, never /metrics hang.
const scrapeTimeout = 2 * time.Second

// backlog is a collector reading the gauges from the database when scraped.
type backlog struct {
	db          Backlog
	undelivered *prometheus.Desc
	pending     *prometheus.Desc
	up          *prometheus.Desc
	now         func() time.Time
}

// WatchBacklog registers gauges read from db at scrape time:
// followup_notifications_undelivered and followup_messages_pending{status}.
// A failed read reports followup_backlog_up 0 instead.
func (m *Metrics) WatchBacklog(db Backlog) error {
	if m == nil {
		return nil
	}
	return m.registry.Register(newBacklog(db, time.Now))
}

func newBacklog(db Backlog, now func() time.Time) *backlog {
	return &backlog{
		db: db, now: now,
		undelivered: prometheus.NewDesc("followup_notifications_undelivered",
			"Notifications to agents not yet delivered to Slack, waiting for redelivery.", nil, nil),
		pending: prometheus.NewDesc("followup_messages_pending",
			"Outbound messages not resolved, by status (pending, sending, unconfirmed).", []string{"status"}, nil),
		up: prometheus.NewDesc("followup_backlog_up",
			"1 if the last scrape could read the backlog gauges from Postgres, else 0.", nil, nil),
	}
}

// Describe sends the gauges' descriptions.
func (b *backlog) Describe(ch chan<- *prometheus.Desc) {
	ch <- b.undelivered
	ch <- b.pending
	ch <- b.up
}

// Collect reads the gauges from the database.
func (b *backlog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	up := 1.0
	if n, err := b.db.CountUndeliveredNotifications(ctx, b.now().Add(-RedeliveryWindow)); err != nil {
		up = 0
	} else {
		ch <- prometheus.MustNewConstMetric(b.undelivered, prometheus.GaugeValue, float64(n))
	}
	if counts, err := b.db.CountMessagesByStatus(ctx, PendingStatuses...); err != nil {
		up = 0
	} else {
		for _, s := range PendingStatuses {
			ch <- prometheus.MustNewConstMetric(b.pending, prometheus.GaugeValue, float64(counts[s]), s)
		}
	}
	ch <- prometheus.MustNewConstMetric(b.up, prometheus.GaugeValue, up)
}
