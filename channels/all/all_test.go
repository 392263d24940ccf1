package all_test

import (
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
)

// TestOneDriverPerChannel: the list is followup.Channels, in its order,
// and Driver finds each.
func TestOneDriverPerChannel(t *testing.T) {
	t.Parallel()
	ds := all.Drivers()
	if len(ds) != len(followup.Channels) {
		t.Fatalf("%d drivers for %d channels", len(ds), len(followup.Channels))
	}
	for i, ch := range followup.Channels {
		if ds[i].Channel != ch {
			t.Errorf("driver %d is %q, want %q (followup.Channels order)", i, ds[i].Channel, ch)
		}
		if d, ok := all.Driver(ch); !ok || d.Channel != ch {
			t.Errorf("Driver(%s) = %q, %v", ch, d.Channel, ok)
		}
	}
	if _, ok := all.Driver("carrier-pigeon"); ok {
		t.Error("a driver for an unknown channel")
	}
}

var varName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)

// TestDriversAreComplete: everything the configuration, the sandbox and
// `followup reply` need is there, and a variable shared by groups or
// channels (META_APP_SECRET, TWILIO_AUTH_TOKEN) is described the same way
// everywhere.
func TestDriversAreComplete(t *testing.T) {
	t.Parallel()
	byName := map[string]channels.Var{}
	for _, d := range all.Drivers() {
		if len(d.Send) == 0 || len(d.Hook) == 0 {
			t.Errorf("%s: %d send and %d webhook variables", d.Channel, len(d.Send), len(d.Hook))
			continue
		}
		if !d.Hook[0].Secret {
			t.Errorf("%s: the webhook's secret %s is not marked secret", d.Channel, d.SecretVar())
		}
		if d.NewSender == nil || d.NewWebhook == nil || d.Fake.Start == nil || d.Fake.Inbound == nil || d.Fake.Secret == "" {
			t.Errorf("%s: a constructor or the fake is missing", d.Channel)
		}
		if f := d.ID; (f.By == "" && f.Len == 0) || (f.Len > 0 && f.Alphabet == "") {
			t.Errorf("%s: id form %+v names no one", d.Channel, f)
		}
		for _, v := range append(append(append([]channels.Var(nil), d.Send...), d.Hook...), d.Optional...) {
			if !varName.MatchString(v.Name) || v.Usage == "" {
				t.Errorf("%s: variable %+v", d.Channel, v)
			}
			if was, ok := byName[v.Name]; ok && was != v {
				t.Errorf("%s is described twice: %+v and %+v", v.Name, was, v)
			}
			byName[v.Name] = v
		}
	}
	vars := all.Vars()
	if len(vars) != len(byName) {
		t.Errorf("Vars lists %d variables, the drivers %d", len(vars), len(byName))
	}
	if byName["FOLLOWUP_PUBLIC_URL"].Name == "" {
		t.Error("Twilio's driver does not say it reads FOLLOWUP_PUBLIC_URL")
	}
}

// exampleID is a customer id of the driver's form.
func exampleID(f channels.IDForm) string {
	switch {
	case f.Len > 0:
		return f.Prefix + strings.Repeat("1", f.Len) + f.Suffix
	case f.By == channels.ByEmail:
		return "zoe.martin@demo.followup.dev"
	}
	return "+33612345678"
}

// TestFakesConfigureTheirDrivers starts each fake, builds the real sender
// and webhook from what it says (as the sandbox does), and has the webhook
// verify and parse what the fake posts when a customer writes.
func TestFakesConfigureTheirDrivers(t *testing.T) {
	t.Parallel()
	for _, d := range all.Drivers() {
		t.Run(string(d.Channel), func(t *testing.T) {
			t.Parallel()
			srv := d.Fake.Start()
			defer srv.Close()
			known := map[string]bool{}
			for _, v := range d.Vars() {
				known[v.Name] = true
			}
			for k := range srv.Env {
				if !known[k] {
					t.Errorf("the fake sets %s, which the driver does not read", k)
				}
			}
			for _, v := range append(append([]channels.Var(nil), d.Send...), d.Hook...) {
				if srv.Env[v.Name] == "" {
					t.Errorf("the fake does not set %s", v.Name)
				}
			}
			if got := srv.Env[d.SecretVar()]; got != d.Fake.Secret {
				t.Errorf("the fake's %s is %q, its Secret %q", d.SecretVar(), got, d.Fake.Secret)
			}
			env := func(k string) string { return srv.Env[k] }
			if _, err := d.NewSender(env, http.DefaultClient); err != nil {
				t.Fatalf("sender: %v", err)
			}
			hook, err := d.NewWebhook(env)
			if err != nil {
				t.Fatalf("webhook: %v", err)
			}
			from := exampleID(d.ID)
			in := channels.Inbound{Channel: d.Channel, From: from, Name: "Zoë Martin", Text: "thanks", At: time.Now()}
			target := "http://127.0.0.1:8080/webhooks/" + string(d.Channel)
			r, err := d.Fake.Inbound(in, channels.Target{URL: target, Secret: d.Fake.Secret})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			if err := hook.Verify(r, body); err != nil {
				t.Fatalf("verify: %v", err)
			}
			evs, err := hook.Parse(r, body)
			if err != nil || len(evs) != 1 || evs[0].Kind != channels.Message || strings.TrimPrefix(from, "+") != strings.TrimPrefix(evs[0].ExternalID, "+") {
				t.Fatalf("parse: %v %+v", err, evs)
			}
			r, _ = d.Fake.Inbound(in, channels.Target{URL: target, Secret: d.Fake.Secret + "x"})
			body, _ = io.ReadAll(r.Body)
			if err := hook.Verify(r, body); !errors.Is(err, channels.ErrSignature) {
				t.Errorf("signed with another secret: %v", err)
			}
		})
	}
}

// TestReadmeListsEveryVariable: the README's configuration names every
// variable a channel reads.
func TestReadmeListsEveryVariable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range all.Vars() {
		if !strings.Contains(string(b), "`"+v.Name+"`") {
			t.Errorf("the README does not mention %s", v.Name)
		}
	}
}
