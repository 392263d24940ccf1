package demo_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/window"
)

func TestLoadCoversEveryChannelAndWindowState(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if loaded, err := demo.Load(ctx, st, now); err != nil || !loaded {
		t.Fatalf("load: %v %v", loaded, err)
	}
	if loaded, err := demo.Load(ctx, st, now); err != nil || loaded {
		t.Fatalf("second load must keep what is there: %v %v", loaded, err)
	}
	set, _ := st.Settings(ctx)
	channels := map[followup.Channel]bool{}
	allowances := map[window.Allowance]bool{}
	for i := range demo.Contacts {
		c, err := st.Resolve(ctx, demo.Contacts[i].Email)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != followup.Closed {
			t.Errorf("%s is not closed", c.FullName())
		}
		ids, _ := st.Identities(ctx, c.ID)
		for _, id := range ids {
			channels[id.Channel] = true
			in := window.Input{Channel: id.Channel, Now: now, Settings: set}
			if id.LastInboundAt != nil {
				in.LastInbound = *id.LastInboundAt
			}
			allowances[window.Window(in).Allowance] = true
		}
	}
	for _, ch := range followup.Channels {
		if !channels[ch] {
			t.Errorf("no demo contact on %s", ch)
		}
	}
	for _, a := range []window.Allowance{window.FreeText, window.HumanAgent, window.TemplateOnly, window.TagOnly, window.Chatbot, window.Nothing} {
		if !allowances[a] {
			t.Errorf("no demo contact shows %s", a)
		}
	}
}

// TestIdentitiesHaveProviderIDs: every demo identity is addressed the way
// its provider addresses people, so the sandbox's fakes accept sends to it.
func TestIdentitiesHaveProviderIDs(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	formats := map[followup.Channel]*regexp.Regexp{
		followup.WhatsApp:  regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`),
		followup.SMS:       regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`),
		followup.Messenger: regexp.MustCompile(`^[1-9][0-9]{15}$`),
		followup.Instagram: regexp.MustCompile(`^[1-9][0-9]{16}$`),
		followup.Telegram:  regexp.MustCompile(`^[1-9][0-9]{9}$`),
		followup.WeChat:    regexp.MustCompile(`^o[A-Za-z0-9_-]{27}$`),
		followup.LINE:      regexp.MustCompile(`^U[0-9a-f]{32}$`),
		followup.Webchat:   regexp.MustCompile(`^v-[0-9a-f]{16}$`),
		followup.Viber:     regexp.MustCompile(`^[A-Za-z0-9+/]{22}==$`),
		followup.Email:     regexp.MustCompile(`^[a-z.]+@demo\.followup\.dev$`),
	}
	seen := map[string]bool{}
	for _, c := range demo.Contacts {
		ct, err := st.Resolve(ctx, c.Email)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := st.Identities(ctx, ct.ID)
		if len(ids) != len(c.Channels) {
			t.Errorf("%s has %d identities, want %d", c.First, len(ids), len(c.Channels))
		}
		for _, id := range ids {
			if !formats[id.Channel].MatchString(id.ExternalID) {
				t.Errorf("%s's %s id %q is not in the provider's format", c.First, id.Channel, id.ExternalID)
			}
			if seen[string(id.Channel)+id.ExternalID] {
				t.Errorf("%s id %q twice", id.Channel, id.ExternalID)
			}
			seen[string(id.Channel)+id.ExternalID] = true
			if want := demo.ExternalID(id.Channel, c.First, c.Last); want != "" && id.ExternalID != want {
				t.Errorf("%s's %s id %q, want the derived %q", c.First, id.Channel, id.ExternalID, want)
			}
		}
	}
	// Derived from the name and channel only: the same at every load, and
	// different people and channels get different ids.
	if demo.ExternalID(followup.LINE, "Aiko", "Sato") == demo.ExternalID(followup.LINE, "Aiko", "Satō") ||
		demo.ExternalID(followup.Messenger, "Mia", "Chen") == demo.ExternalID(followup.Instagram, "Mia", "Chen")[:16] {
		t.Error("ExternalID does not tell names or channels apart")
	}
}

// TestLoadUpgradesPlaceholderIDs: a workspace loaded by an older demo
// ("demo-line-Aiko") gets the provider-format ids at the next start, and
// keeps everything else.
func TestLoadUpgradesPlaceholderIDs(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	aiko := demo.ExternalID(followup.LINE, "Aiko", "Sato")
	if _, err := st.DB().ExecContext(ctx, `UPDATE identities SET external_id = 'demo-line-Aiko' WHERE channel = 'line' AND external_id = $1`, aiko); err != nil {
		t.Fatal(err)
	}
	if loaded, err := demo.Load(ctx, st, time.Now()); err != nil || loaded {
		t.Fatalf("second load: %v %v", loaded, err)
	}
	id, err := st.ContactByIdentity(ctx, followup.LINE, aiko)
	if err != nil {
		t.Fatalf("Aiko's LINE id was not upgraded: %v", err)
	}
	if c, _ := st.Resolve(ctx, "aiko.sato@demo.followup.dev"); c.ID != id {
		t.Fatalf("the LINE id belongs to #%d, not Aiko (#%d)", id, c.ID)
	}
}
