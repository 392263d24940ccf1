package demo_test

import (
	"context"
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
