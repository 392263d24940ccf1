// Package metrics holds the application's Prometheus metrics and the
// Temporal SDK's, on one registry that `serve`, `dev` and `worker` expose
// on /metrics. Everything is built once by New and passed to the packages
// that count (webhooks, bot, the senders' decorator); a nil *Metrics
// counts nothing, so tests and CLI commands need none.
//
// Messages and follow-ups are decided inside the follow-up workflow, which
// counts them through workflow.GetMetricsHandler (the SDK drops what a
// replay would count twice): the names are the constants below, and they
// reach this registry through Temporal, the handler New builds.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"

	"github.com/followup-dev/followup"
)

// Names of the counters the follow-up workflow increments through the
// Temporal SDK's metrics handler (their labels are the Label* constants).
const (
	// MessagesTotal counts send attempts by channel, mode, outcome and reason.
	MessagesTotal = "followup_messages_total"
	// FollowupsStarted counts follow-ups started, by channel (a
	// continue-as-new is not a start).
	FollowupsStarted = "followup_followups_started_total"
	// FollowupsEnded counts follow-ups ended, by channel and outcome.
	FollowupsEnded = "followup_followups_ended_total"
)

// Label names. Values are bounded: never a contact or agent id.
const (
	LabelChannel = "channel"
	LabelMode    = "mode"
	LabelOutcome = "outcome"
	LabelReason  = "reason"
)

// Verdict is what the server made of one webhook request.
type Verdict string

// Webhook verdicts.
const (
	Accepted     Verdict = "accepted"
	BadSignature Verdict = "bad_signature"
	Malformed    Verdict = "malformed"
	Duplicate    Verdict = "duplicate"
	TooLarge     Verdict = "too_large"
	// Failed: an event could not be handled now (503; the provider retries).
	Failed Verdict = "failed"
)

// Metrics is the process's registry and the collectors on it.
type Metrics struct {
	registry         *prometheus.Registry
	temporal         client.MetricsHandler
	providerDuration *prometheus.HistogramVec
	providerErrors   *prometheus.CounterVec
	webhooks         *prometheus.CounterVec
	slackAck         *prometheus.HistogramVec
}

// New builds the registry: Go and process collectors, the application's
// collectors, and an OpenTelemetry meter exporting into it for the
// Temporal SDK (Temporal).
func New() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		providerDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "followup_provider_request_duration_seconds",
			Help:    "Time a channel provider took to answer a send, by channel.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{LabelChannel}),
		providerErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "followup_provider_errors_total",
			Help: "Sends a provider refused or that failed in transport, by channel and class (retryable, window_closed, recipient_gone, permanent, transport).",
		}, []string{LabelChannel, "class"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "followup_webhooks_total",
			Help: "Webhook requests by channel and verdict (accepted, bad_signature, malformed, duplicate, too_large, failed).",
		}, []string{LabelChannel, "verdict"}),
		slackAck: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "followup_slack_ack_duration_seconds",
			Help:    "Time from receiving a slash command to writing its acknowledgement, by verb.",
			Buckets: []float64{.005, .01, .025, .05, .075, .1, .25, .5, 1, 2.5},
		}, []string{"verb"}),
	}
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.providerDuration, m.providerErrors, m.webhooks, m.slackAck)
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	// The SDK's timers are in seconds; OpenTelemetry's default buckets
	// are for milliseconds.
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: prometheus.DefBuckets}})
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithView(seconds))
	m.temporal = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                provider.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		// An instrument the meter refuses is dropped, never a panic in a worker.
		OnError: func(error) {},
	})
	return m, nil
}

// Registry is where every metric of the process is registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Temporal is the handler for client.Options.MetricsHandler: the SDK's
// metrics (temporal_*) and the workflow's counters land on the registry.
// Nil (no metrics) lets the SDK use its no-op handler.
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.temporal
}

// Webhook counts one webhook request.
func (m *Metrics) Webhook(ch followup.Channel, v Verdict) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(string(ch), string(v)).Inc()
}

// SlackAck observes how long a slash command took to be acknowledged.
func (m *Metrics) SlackAck(verb string, d time.Duration) {
	if m == nil {
		return
	}
	m.slackAck.WithLabelValues(verb).Observe(d.Seconds())
}
