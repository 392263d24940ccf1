package bot

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// TestZoneFromUsersInfo: an agent's zone comes from users.info, is asked
// once for a burst of commands, and is UTC when Slack refuses.
func TestZoneFromUsersInfo(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/users.info", func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			switch user := r.FormValue("user"); user {
			case "UTOKYO":
				fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"tz":"Asia/Tokyo","tz_label":"Japan Standard Time","tz_offset":32400}}`, user)
			case "UOFFSET":
				fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"tz":"Nowhere/Unknown","tz_label":"Somewhere","tz_offset":-12600}}`, user)
			default:
				fmt.Fprint(w, `{"ok":false,"error":"user_not_found"}`)
			}
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	b := New(nil, nil, slack.New("xoxb-test", slack.OptionAPIURL(srv.GetAPIURL())), Config{})
	ctx := t.Context()

	if loc := b.zone(ctx, "UTOKYO"); loc.String() != "Asia/Tokyo" {
		t.Errorf("zone %v, want Asia/Tokyo", loc)
	}
	b.zone(ctx, "UTOKYO")
	if n := calls.Load(); n != 1 {
		t.Errorf("users.info asked %d times for two commands, want once", n)
	}
	if _, off := time.Now().In(b.zone(ctx, "UOFFSET")).Zone(); off != -12600 {
		t.Errorf("offset %d, want the one Slack gave", off)
	}
	if loc := b.zone(ctx, "UGONE"); loc != time.UTC {
		t.Errorf("zone %v when Slack refuses, want UTC", loc)
	}
}

// TestReadsTimes: only commands that take a time to send wait on users.info.
func TestReadsTimes(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"later 42 tomorrow 9:00 hi":         true,
		"LATER 42 4h hi":                    true,
		"template 42 renewal --at mon 10am": true,
		"send 42 see you tomorrow 9:00":     false,
		"find jane":                         false,
		"":                                  false,
		"frobnicate later":                  false,
	} {
		if got := readsTimes(text); got != want {
			t.Errorf("readsTimes(%q) = %v, want %v", text, got, want)
		}
	}
}
