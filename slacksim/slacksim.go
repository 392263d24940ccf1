// Package slacksim plays Slack for a local workspace: it signs and posts
// a slash command to the server as Slack does and shows the answers
// (`followup slash`), and stands in for Slack's Web API, writing what the
// bot would post (`followup dev` without a Slack app).
package slacksim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
)

// Command is a slash command to post as Slack would.
type Command struct {
	// URL is the server's /slack/commands.
	URL string
	// Secret is the app's signing secret.
	Secret string
	// User and Team are who types it, in which workspace.
	User, Team string
	// Text is what follows the command's name, as typed.
	Text string
	// Wait bounds the wait for an answer through response_url.
	Wait time.Duration
}

// Post signs and posts c to the server exactly as Slack does, listening
// locally for its response_url, and writes to out the immediate answer
// and, for a slower command, what arrives at the response_url.
func Post(ctx context.Context, c Command, out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for response_url: %w", err)
	}
	answers := make(chan slack.Msg, 8)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m slack.Msg
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answers <- m
	})}
	go srv.Serve(ln) //nolint:errcheck // Serve returns on Close
	defer srv.Close()

	triggerID := make([]byte, 8)
	_, _ = rand.Read(triggerID)
	form := url.Values{
		"team_id": {c.Team}, "team_domain": {"local"}, "channel_id": {"C0LOCAL"}, "channel_name": {"local"},
		"user_id": {c.User}, "user_name": {c.User}, "command": {"/followup"}, "text": {bot.EscapeText(c.Text)}, "api_app_id": {"A0LOCAL"},
		"response_url": {"http://" + ln.Addr().String() + "/response"}, "trigger_id": {hex.EncodeToString(triggerID)},
	}.Encode()
	target := c.URL
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(bot.HeaderTimestamp, ts)
	req.Header.Set(bot.HeaderSignature, bot.Sign(c.Secret, ts, []byte(form)))
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return followup.Errorf(followup.EInternal, "cannot reach %s (is `followup dev` running?): %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return followup.Errorf(followup.EInternal, "%s answered %s: %s", target, resp.Status, strings.TrimSpace(string(body)))
	}
	var first slack.Msg
	if err := json.Unmarshal(body, &first); err != nil {
		return fmt.Errorf("reply is not a Slack message: %w", err)
	}
	fmt.Fprintf(out, "(answered in %d ms)\n", time.Since(start).Milliseconds())
	fmt.Fprint(out, Render(first))
	if !strings.HasPrefix(first.Text, "⏳") {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.Wait)
	defer cancel()
	select {
	case m := <-answers:
		fmt.Fprintf(out, "\n(through response_url after %d ms)\n", time.Since(start).Milliseconds())
		fmt.Fprint(out, Render(m))
		return nil
	case <-ctx.Done():
		return followup.Errorf(followup.EInternal, "no answer through response_url within %s", c.Wait)
	}
}

// Render shows a Block Kit message in a terminal: the texts, and the
// buttons with what they carry.
func Render(m slack.Msg) string {
	var sb strings.Builder
	if len(m.Blocks.BlockSet) == 0 {
		return dates(m.Text) + "\n"
	}
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			fmt.Fprintf(&sb, "== %s ==\n", b.Text.Text)
		case *slack.SectionBlock:
			if b.Text != nil {
				sb.WriteString(unescape(b.Text.Text) + "\n")
			}
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				sb.WriteString("  " + button(b.Accessory.ButtonElement) + "\n")
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					sb.WriteString("  " + unescape(t.Text) + "\n")
				}
			}
		case *slack.ActionBlock:
			var bs []string
			for _, e := range b.Elements.ElementSet {
				if be, ok := e.(*slack.ButtonBlockElement); ok {
					bs = append(bs, button(be))
				}
			}
			sb.WriteString("  " + strings.Join(bs, "  ") + "\n")
		case *slack.DividerBlock:
			sb.WriteString("  ──\n")
		}
	}
	return sb.String()
}

func button(b *slack.ButtonBlockElement) string {
	switch b.ActionID {
	case bot.ActionFollowUp, bot.ActionStatus:
		return fmt.Sprintf("[%s #%s]", b.Text.Text, b.Value)
	}
	return "[" + b.Text.Text + "]"
}

func unescape(s string) string {
	return dates(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s))
}

// slackDate is a date token (<!date^UNIX^FORMAT|FALLBACK>), which Slack
// shows in each reader's zone.
var slackDate = regexp.MustCompile(`<!date\^[0-9]+\^[^|>]*\|([^>]*)>`)

// dates writes Slack's date tokens as a client that cannot render them
// does: their fallback text (the time in UTC).
func dates(s string) string { return slackDate.ReplaceAllString(s, "$1") }

// WebAPI stands in for Slack's Web API in a local dev workspace (serve it
// under the API URL the bot's client is given): messages and views are
// written to w, and every call succeeds. users.info gives each user the
// locale locales names (Slack's form, ru-RU), else en-US, and UTC.
func WebAPI(w io.Writer, locales map[string]string) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(http.MaxBytesReader(rw, r.Body, 1<<20))
		method := strings.Trim(r.URL.Path, "/")
		mu.Lock()
		switch method {
		case "chat.postMessage":
			f, _ := url.ParseQuery(string(body))
			fmt.Fprintf(w, "slack → %s: %s\n", f.Get("channel"), dates(f.Get("text")))
		case "users.info":
			// A read, not something the workspace shows: the local agents
			// have no time zone set, so their times are read in UTC.
			f, _ := url.ParseQuery(string(body))
			user := f.Get("user")
			locale := locales[user]
			if locale == "" {
				locale = "en-US"
			}
			mu.Unlock()
			rw.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(rw).Encode(map[string]any{"ok": true, "user": map[string]any{
				"id": user, "name": user, "tz": "UTC", "tz_offset": 0, "locale": locale}})
			return
		default:
			fmt.Fprintf(w, "slack → %s (%d bytes)\n", method, len(body))
		}
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"ok":true,"channel":"D0LOCAL","ts":"%d.000100","view":{"id":"V0LOCAL"}}`, time.Now().Unix())
	})
}
