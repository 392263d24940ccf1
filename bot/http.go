package bot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/followup-dev/followup"
)

// Body limits: a slash command carries at most MaxCommandBytes of text;
// interaction payloads carry the whole view with its state.
const (
	maxCommandBody     = 64 << 10
	maxInteractionBody = 1 << 20
	maxEventBody       = 1 << 20
)

// Register serves Slack's HTTP endpoints on mux: /slack/commands,
// /slack/interactivity and /slack/events. Every request is verified
// against the signing secret before anything in it is parsed.
func (b *Bot) Register(mux *http.ServeMux, v *Verifier) {
	mux.Handle("POST /slack/commands", b.verified(v, maxCommandBody, b.serveCommand))
	mux.Handle("POST /slack/interactivity", b.verified(v, maxInteractionBody, b.serveInteraction))
	mux.Handle("POST /slack/events", b.verified(v, maxEventBody, b.serveEvent))
}

// verified reads and verifies the body, answering 401 or 413 without
// calling next when that fails, and 503 when the replay guard cannot
// answer (nothing is done; Slack or the user may send it again).
func (b *Bot) verified(v *Verifier, limit int64, next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := ReadVerified(w, r, v, limit)
		switch {
		case errors.Is(err, ErrBodyTooLarge):
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		case errors.Is(err, ErrReplayUnchecked):
			b.log.Error("slack: request refused", "path", r.URL.Path, "err", err)
			if r.URL.Path == "/slack/commands" {
				// Slack shows a slash command's answer only with a 200:
				// name what is down.
				writeJSON(w, textMsg("⚠️ The database is unavailable, so this command was not carried out; nothing was changed. Try again in a minute."))
				return
			}
			http.Error(w, "cannot check this Slack request for replay now (database unavailable); nothing was done, try again", http.StatusServiceUnavailable)
			return
		case followup.ErrorCodeOf(err) == followup.EUnauthorized:
			b.log.Warn("slack: request refused", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid Slack signature", http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(w, "cannot read the request", http.StatusBadRequest)
			return
		}
		next(w, r, body)
	})
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	start := time.Now()
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form body", http.StatusBadRequest)
		return
	}
	sc := SlashCommandFromForm(form)
	writeJSON(w, b.Command(r.Context(), sc))
	b.observeAck(sc.Text, start)
}

// SlashCommandFromForm reads the fields Slack posts for a slash command.
func SlashCommandFromForm(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		Token: f.Get("token"), TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"),
		EnterpriseID: f.Get("enterprise_id"), EnterpriseName: f.Get("enterprise_name"), IsEnterpriseInstall: f.Get("is_enterprise_install") == "true",
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"), UserID: f.Get("user_id"), UserName: f.Get("user_name"),
		Command: f.Get("command"), Text: f.Get("text"), APIAppID: f.Get("api_app_id"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"),
	}
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "expected a payload form field", http.StatusBadRequest)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	resp := b.Interaction(r.Context(), cb)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, resp)
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ch.Challenge))
		return
	}
	// Slack wants a 200 within 3 s; App Home is published afterwards.
	b.work.Add(1)
	go func() {
		defer b.work.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		b.Event(ctx, ev)
	}()
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
