package window_test

import (
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
)

var sink window.Decision

// benchInputs is a mix of channels and phases, allowed and refused.
func benchInputs() []window.Input {
	return []window.Input{
		input(followup.Telegram, 30*day),
		input(followup.WhatsApp, time.Hour),
		input(followup.WhatsApp, 3*day),
		input(followup.WhatsApp, 3*day, noText, tmpl(followup.TemplateApproved, 2, 2)),
		input(followup.Messenger, time.Hour),
		input(followup.Messenger, 3*day),
		input(followup.Messenger, 10*day, tag(followup.TagAccountUpdate)),
		input(followup.Messenger, 3*day, automated),
		input(followup.Instagram, 3*day),
		input(followup.Instagram, 8*day),
		input(followup.Viber, 3*day, chatbotSent(9999)),
		input(followup.Viber, 3*day, chatbotSent(10000)),
		input(followup.WeChat, time.Hour, sent(19)),
		input(followup.WeChat, 3*day),
		input(followup.Email, 0, never),
		input(followup.SMS, time.Hour, noText),
	}
}

// BenchmarkDecide measures one decision, averaged over benchInputs.
func BenchmarkDecide(b *testing.B) {
	ins := benchInputs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sink = window.Decide(ins[i%len(ins)])
		i++
	}
}

// BenchmarkWindow measures the state shown for display, without content.
func BenchmarkWindow(b *testing.B) {
	ins := benchInputs()
	b.ReportAllocs()
	var s window.State
	i := 0
	for b.Loop() {
		s = window.Window(ins[i%len(ins)])
		i++
	}
	_ = s
}
