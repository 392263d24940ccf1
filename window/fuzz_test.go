package window_test

import (
	"slices"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
)

// FuzzDecide checks the rules' invariants over arbitrary channels, times,
// counts, settings and content.
func FuzzDecide(f *testing.F) {
	h := int64(time.Hour)
	// channel, now (s), since (ns), never, sent, chatbot, limit, allowance,
	// commercial, tags, windows (wa, ms, ig, ha, vb, wc in ns), text,
	// template (0 none, 1 approved, 2 pending, 3 rejected, 4 paused),
	// paramCount, paramsGiven, tag (0 none, 1-3 agent tags, 4 HUMAN_AGENT, 5 bogus),
	// automated, providerClosed.
	f.Add(uint8(0), t0.Unix(), 24*h, false, 0, 0, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, true, uint8(0), int8(0), int8(0), uint8(0), false, false)
	f.Add(uint8(1), t0.Unix(), 100*h, false, 0, 0, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, true, uint8(0), int8(0), int8(0), uint8(1), true, false)
	f.Add(uint8(2), t0.Unix(), 168*h, false, 0, 0, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, true, uint8(0), int8(0), int8(0), uint8(0), false, false)
	f.Add(uint8(3), t0.Unix(), 30*h, false, 0, 9999, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, true, uint8(0), int8(0), int8(0), uint8(0), false, false)
	f.Add(uint8(4), t0.Unix(), h, false, 19, 0, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, true, uint8(0), int8(0), int8(0), uint8(0), false, false)
	f.Add(uint8(0), t0.Unix(), 30*h, true, 0, 0, 20, 10000, false, true, 24*h, 24*h, 24*h, 168*h, 24*h, 48*h, false, uint8(1), int8(2), int8(2), uint8(0), false, true)
	f.Add(uint8(10), t0.Unix(), h, false, 0, 0, 20, 10000, true, false, int64(0), -h, int64(0), int64(0), int64(-1), int64(1), true, uint8(4), int8(-1), int8(3), uint8(5), true, true)

	f.Fuzz(func(t *testing.T, ch uint8, nowSec, since int64, never bool, sentN, chatbotN, limit, allowance int,
		commercial, tags bool, wa, ms, ig, ha, vb, wc int64, text bool, tmplKind uint8, pc, pg int8, tagKind uint8, automated, closed bool) {
		channels := append(slices.Clone(followup.Channels), "pigeon")
		in := window.Input{
			Channel: channels[int(ch)%len(channels)],
			// Keep Now within ±3000 years of 1970 so that Now-LastInbound
			// (at most 292 years apart) never saturates and LastInbound+window
			// never overflows.
			Now:              time.Unix(nowSec%(3000*365*86400), 0).UTC(),
			SentInWindow:     sentN,
			ChatbotThisMonth: chatbotN,
			Settings: followup.Settings{
				WeChatMessageLimit:   limit,
				ViberFreeAllowance:   allowance,
				ViberCommercialTerms: commercial,
				MessageTagsEnabled:   tags,
				WhatsAppWindow:       time.Duration(wa),
				MessengerWindow:      time.Duration(ms),
				InstagramWindow:      time.Duration(ig),
				HumanAgentWindow:     time.Duration(ha),
				ViberWindow:          time.Duration(vb),
				WeChatWindow:         time.Duration(wc),
			},
			Text:         text,
			Automated:    automated,
			WindowClosed: closed,
		}
		if !never {
			in.LastInbound = in.Now.Add(-time.Duration(since))
		}
		if k := tmplKind % 5; k > 0 {
			status := []followup.TemplateStatus{followup.TemplateApproved, followup.TemplatePending, followup.TemplateRejected, followup.TemplatePaused}[k-1]
			in.Template = &window.Template{Name: "t", Status: status, ParamCount: int(pc), ParamsGiven: int(pg)}
		}
		in.Tag = []followup.Tag{"", followup.TagAccountUpdate, followup.TagConfirmedEventUpdate, followup.TagPostPurchaseUpdate, followup.TagHumanAgent, "BOGUS"}[tagKind%6]

		d := window.Decide(in)
		if d2 := window.Decide(in); d2 != d {
			t.Fatalf("not deterministic: %+v then %+v", d, d2)
		}
		s := window.Window(in)
		if s2 := window.Window(in); s2 != s {
			t.Fatalf("Window not deterministic: %+v then %+v", s, s2)
		}
		if s.Allowance != d.Allowance {
			t.Fatalf("Window().Allowance %q != Decide().Allowance %q", s.Allowance, d.Allowance)
		}
		if (s.Allowance == window.Nothing) != (s.Reason != "") || (s.Reason != "") != (s.Message != "") {
			t.Fatalf("State reason/message inconsistent: %+v", s)
		}

		// How the clock stands, computed independently of the package.
		age := in.Now.Sub(in.LastInbound)
		inside := func(w int64) bool { return !never && !closed && age < time.Duration(w) }

		if d.Allowed {
			if d.Reason != "" || d.Mode == "" || d.Message != "" {
				t.Fatalf("allowed with reason/message or without mode: %+v", d)
			}
			if !text && in.Template == nil {
				t.Fatalf("allowed without content: %+v", d)
			}
			if d.Allowance == window.Nothing {
				t.Fatalf("allowed while nothing is: %+v", d)
			}
		} else {
			if d.Reason == "" || d.Message == "" || d.Mode != "" || d.Tag != "" || !d.ClosesAt.IsZero() || d.Next != "" {
				t.Fatalf("refusal without reason/message, or with a mode: %+v", d)
			}
		}
		if (d.Tag == followup.TagHumanAgent) != (d.Mode == followup.ModeHumanAgent) {
			t.Fatalf("HUMAN_AGENT tag and mode disagree: %+v", d)
		}
		if automated && (d.Tag == followup.TagHumanAgent || d.Mode == followup.ModeHumanAgent) {
			t.Fatalf("automated message got HUMAN_AGENT: %+v", d)
		}
		if in.Tag == followup.TagHumanAgent || in.Tag == "BOGUS" {
			if d.Allowed && in.Channel != "pigeon" {
				// An agent may not pick these; refused before anything else
				// except an unknown channel or empty content.
				t.Fatalf("agent tag %q accepted: %+v", in.Tag, d)
			}
		}

		switch d.Mode {
		case followup.ModeFreeText:
			if !text {
				t.Fatalf("free text without text: %+v", d)
			}
			switch in.Channel {
			case followup.WhatsApp:
				if !inside(wa) || in.Template != nil {
					t.Fatalf("whatsapp free text outside the window or instead of a template: %+v", d)
				}
			case followup.Messenger:
				if !inside(ms) {
					t.Fatalf("messenger free text outside the window: %+v", d)
				}
			case followup.Instagram:
				if !inside(ig) {
					t.Fatalf("instagram free text outside the window: %+v", d)
				}
			case followup.Viber:
				if !inside(vb) {
					t.Fatalf("viber free text outside the window: %+v", d)
				}
			case followup.WeChat:
				if !inside(wc) || max(sentN, 0) >= limit {
					t.Fatalf("wechat free text outside the window or past the count: %+v", d)
				}
			}
		case followup.ModeHumanAgent:
			switch in.Channel {
			case followup.Messenger:
				if !inside(ha) || inside(ms) {
					t.Fatalf("messenger HUMAN_AGENT outside 24h-7d: %+v", d)
				}
			case followup.Instagram:
				if !inside(ha) || inside(ig) {
					t.Fatalf("instagram HUMAN_AGENT outside 24h-7d: %+v", d)
				}
			default:
				t.Fatalf("HUMAN_AGENT on %s: %+v", in.Channel, d)
			}
		case followup.ModeMessageTag:
			if in.Channel != followup.Messenger || !tags || d.Tag != in.Tag || !slices.Contains(followup.AgentTags, d.Tag) || inside(ms) {
				t.Fatalf("bad message tag send: %+v", d)
			}
		case followup.ModeTemplate:
			if in.Channel != followup.WhatsApp || in.Template.Status != followup.TemplateApproved || pc != pg {
				t.Fatalf("bad template send: %+v", d)
			}
		case followup.ModeChatbot:
			if in.Channel != followup.Viber || inside(vb) || !(commercial || max(chatbotN, 0) < allowance) {
				t.Fatalf("bad chatbot send: %+v", d)
			}
		}

		switch in.Channel {
		case followup.Instagram:
			if !inside(ig) && !inside(ha) && d.Allowed {
				t.Fatalf("instagram allowed something after every window: %+v", d)
			}
		case followup.WeChat:
			if (!inside(wc) || max(sentN, 0) >= limit) && d.Allowed {
				t.Fatalf("wechat allowed something after the window or past the count: %+v", d)
			}
		case followup.Telegram, followup.LINE, followup.Webchat, followup.SMS, followup.Email:
			if text && (in.Tag == "" || slices.Contains(followup.AgentTags, in.Tag)) && d != (window.Decision{Allowed: true, Mode: followup.ModeFreeText, Allowance: window.FreeText, Remaining: -1}) {
				t.Fatalf("windowless channel did not allow free text: %+v", d)
			}
		}

		if !d.ClosesAt.IsZero() {
			if d.Next == "" {
				t.Fatalf("ClosesAt without Next: %+v", d)
			}
			lastWeChat := in.Channel == followup.WeChat && d.Remaining == 0 && d.ClosesAt.Equal(in.Now)
			if !d.ClosesAt.After(in.Now) && !lastWeChat {
				t.Fatalf("ClosesAt %v not after Now %v: %+v", d.ClosesAt, in.Now, d)
			}
		} else if d.Next != "" {
			t.Fatalf("Next without ClosesAt: %+v", d)
		}
		if d.Remaining < -1 {
			t.Fatalf("Remaining %d < -1", d.Remaining)
		}
	})
}
