package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// ClassTransport is the error class of a send that got no classified
// answer from the provider (connection refused, timeout, unreadable reply).
const ClassTransport = "transport"

// sender times a channel's sends and counts its errors by class.
type sender struct {
	next     channels.Sender
	duration prometheus.Observer
	errors   func(class string)
}

// Send sends through the wrapped Sender, observing how long the provider
// took and the class of its error.
func (s sender) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	start := time.Now()
	sent, err := s.next.Send(ctx, m)
	s.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		class := ClassTransport
		var se *followup.SendError
		if errors.As(err, &se) {
			class = string(se.Class)
		}
		s.errors(class)
	}
	return sent, err
}

// Senders returns senders that observe each send's latency
// (followup_provider_request_duration_seconds) and count its errors
// (followup_provider_errors_total); with m nil, senders itself.
func (m *Metrics) Senders(senders map[followup.Channel]channels.Sender) map[followup.Channel]channels.Sender {
	if m == nil {
		return senders
	}
	out := make(map[followup.Channel]channels.Sender, len(senders))
	for ch, s := range senders {
		errs := m.providerErrors.MustCurryWith(map[string]string{LabelChannel: string(ch)})
		out[ch] = sender{next: s, duration: m.providerDuration.WithLabelValues(string(ch)),
			errors: func(class string) { errs.WithLabelValues(class).Inc() }}
	}
	return out
}
