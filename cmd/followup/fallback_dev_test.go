package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDevScheduledFallbackTemplateAndCadence drives issue #11 from the CLI
// in `followup dev`: a WhatsApp send scheduled past the window sends its
// fallback template when due, a template can be scheduled, and a cadence
// defined by a supervisor starts on a contact and shows in status.
func TestDevScheduledFallbackTemplateAndCadence(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	c := newCLI(t)
	port := freePort(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)

	// Carlos last wrote on WhatsApp 30 hours ago: the window is closed.
	carlos := "carlos.ruiz@demo.followup.dev"
	if out := c.ok("later", carlos, "2s", "Checking in", "--else-template", "order_update", "1=Carlos", "2=A-17"); !strings.Contains(out, "Scheduled for") {
		t.Fatalf("later: %s", out)
	}
	// Shown in --tz's zone (Tokyo has no daylight saving time: always JST).
	if out := c.ok("template", carlos, "order_update", "1=Carlos", "2=A-18", "--at", "3h", "--tz", "Asia/Tokyo"); !strings.Contains(out, "Scheduled for") || !strings.Contains(out, " JST.") {
		t.Fatalf("template --at: %s", out)
	}
	if code, _, errs := c.run("", "template", carlos, "order_update", "1=Carlos", "2=A-18", "--at", "yesterday"); code != 2 || !strings.Contains(errs, "when") {
		t.Fatalf("template --at yesterday: %d %s", code, errs)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var box []map[string]any
		if err := json.Unmarshal([]byte(c.ok("outbox", "--json")), &box); err != nil {
			t.Fatal(err)
		}
		if len(box) == 1 {
			if box[0]["template"] != "order_update" || box[0]["body"] != "order_update(Carlos, A-17)" {
				t.Fatalf("the fallback template should have gone: %+v", box[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled send did not go out: %+v", box)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if out := c.ok("notifications", "--contact", carlos); !strings.Contains(out, "as the approved template order_update instead of your text (the fallback;") {
		t.Fatalf("the agent is told the form: %s", out)
	}
	c.env["LANG"] = "ru_RU.UTF-8" // and it reads in the command line's language
	out := c.ok("notifications", "--contact", carlos)
	delete(c.env, "LANG")
	if !strings.Contains(out, "одобренный шаблон order_update вместо вашего текста (запасной вариант;") {
		t.Fatalf("the notification in Russian: %s", out)
	}
	out = c.ok("status", carlos)
	if !strings.Contains(out, "sent as an approved template, the fallback") {
		t.Fatalf("status: %s", out)
	}

	// A cadence: defined once, started on a contact, visible in status.
	c.ok("cadences", "add", "nudge", `1d text "Did it work?"`, `3d text "Checking in again"`)
	if code, _, errs := c.run("", "cadence", "Liam Murphy", "nosuch", "--via", "telegram"); code != 1 || !strings.Contains(errs, "nudge") {
		t.Fatalf("unknown cadence: %d %s", code, errs)
	}
	if out := c.ok("cadence", "Liam Murphy", "nudge", "--via", "telegram"); !strings.Contains(out, "Cadence nudge started: 2 touch(es)") {
		t.Fatalf("cadence: %s", out)
	}
	if out := c.ok("status", "Liam Murphy"); !strings.Contains(out, "cadence nudge: 2 touch(es), none yet; next") {
		t.Fatalf("status shows the cadence: %s", out)
	}
	if code, _, errs := c.run("", "cadence", "Liam Murphy", "nudge", "--via", "telegram"); code != 1 || !strings.Contains(errs, "is running") {
		t.Fatalf("a second cadence: %d %s", code, errs)
	}
}
