package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/workflows"
)

// TestFollowUpModal: the Follow up button opens a modal offering the
// contact's channels with what each allows and the approved templates; a
// submission the rules refuse shows the reason on the field, and a valid
// one sends the template.
func TestFollowUpModal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, _ := e.interact(blockAction(annID, bot.ActionFollowUp, strconv.FormatInt(e.carlos, 10), e.slack.respond.URL+"/x"))
	if code != http.StatusOK {
		t.Fatalf("button: %d", code)
	}
	opens := e.slack.Calls("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open called %d times", len(opens))
	}
	view := text(opens[0].JSON)
	for _, want := range []string{`"trigger_id":"1234.5678.abcd"`, "WhatsApp — template only", "order_update (en, 2 parameter(s))", "Template parameter {{2}}", bot.CallbackFollowUp} {
		if !strings.Contains(view, want) {
			t.Errorf("modal lacks %q: %s", want, view)
		}
	}
	var opened struct {
		View slack.ModalViewRequest `json:"view"`
	}
	if err := json.Unmarshal([]byte(view), &opened); err != nil {
		t.Fatal(err)
	}

	submit := func(values map[string]map[string]slack.BlockAction) map[string]any {
		payload := map[string]any{
			"type": "view_submission", "team": map[string]any{"id": teamID}, "user": map[string]any{"id": annID},
			"view": map[string]any{"id": "V1", "hash": "h-" + strconv.Itoa(len(values)), "callback_id": bot.CallbackFollowUp,
				"private_metadata": opened.View.PrivateMetadata, "state": map[string]any{"values": values}},
		}
		code, resp := e.interact(payload)
		if code != http.StatusOK {
			t.Fatalf("submission: %d", code)
		}
		return resp
	}
	sel := func(v string) slack.BlockAction {
		return slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: v}}
	}
	in := func(v string) slack.BlockAction { return slack.BlockAction{Value: v} }

	// Free text after WhatsApp's window: the reason shows on the template field.
	resp := submit(map[string]map[string]slack.BlockAction{"channel": {"v": sel("whatsapp")}, "text": {"v": in("Hello again")}})
	if resp["response_action"] != "errors" || !strings.Contains(text(resp["errors"]), "template") {
		t.Fatalf("free text outside the window: %s", text(resp))
	}
	// A template with a parameter missing: the error is on that parameter.
	resp = submit(map[string]map[string]slack.BlockAction{"channel": {"v": sel("whatsapp")}, "template": {"v": sel("order_update|en")}, "param1": {"v": in("Carlos")}})
	if errs, _ := resp["errors"].(map[string]any); errs["param2"] == nil {
		t.Fatalf("missing parameter: %s", text(resp))
	}
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("invalid submissions reached the provider %d times", n)
	}
	// A valid template closes the modal and is sent.
	resp = submit(map[string]map[string]slack.BlockAction{"channel": {"v": sel("whatsapp")}, "template": {"v": sel("order_update|en")},
		"param1": {"v": in("Carlos")}, "param2": {"v": in("A-17")}})
	if resp != nil {
		t.Fatalf("valid submission answered %s, want an empty 200 to close the modal", text(resp))
	}
	e.bot.Wait()
	acc := e.wa.Accepted()
	if len(acc) != 1 || acc[0].Type != "template" {
		t.Fatalf("provider accepted %+v, want one template", acc)
	}
	body := e.wa.Requests()[0].Body
	if !strings.Contains(text(body), "A-17") || !strings.Contains(text(body), "order_update") {
		t.Fatalf("template request %s", text(body))
	}
}

// TestVIPAndAppHome: a supervisor's vip lists running VIP follow-ups, and
// App Home shows the agent's follow-ups and, for a supervisor, the VIP ones
// and the recent changes (the agent's send among them).
func TestVIPAndAppHome(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.command(annID, `send jane.doe@example.com "Checking in"`)
	e.bot.Wait()
	if len(e.wa.Accepted()) != 1 {
		t.Fatalf("the follow-up did not send: %+v", e.wa.Requests())
	}
	// Visibility is eventually consistent.
	eventually(t, "the VIP follow-up in visibility", func() bool {
		fs, err := e.fc.List(e.ctx, workflows.ListFilter{VIPOnly: true})
		for _, f := range fs {
			if f.ContactID == e.jane && f.Agent == annID && f.VIP {
				return err == nil
			}
		}
		return false
	})
	_, a := e.command(samID, `vip`)
	if got := text(a); !strings.Contains(got, "Jane Doe") || !strings.Contains(got, "window closes in") {
		t.Fatalf("vip: %s", got)
	}
	event := func(user string) {
		body := `{"token":"x","team_id":"` + teamID + `","api_app_id":"A0APP","type":"event_callback","event_id":"Ev1","event_time":1,
			"event":{"type":"app_home_opened","user":"` + user + `","channel":"D0","tab":"home","event_ts":"1.2"}}`
		if code, _ := e.post(signed(e.http.URL+"/slack/events", secret, "application/json", body, time.Now())); code != http.StatusOK {
			t.Fatalf("event: %d", code)
		}
		e.bot.Wait()
	}
	event(samID)
	event(annID)
	event("U0STRANGER")
	pubs := e.slack.Calls("views.publish")
	if len(pubs) != 3 {
		t.Fatalf("views.publish called %d times", len(pubs))
	}
	sam, ann, stranger := text(pubs[0].JSON), text(pubs[1].JSON), text(pubs[2].JSON)
	if !strings.Contains(sam, "VIP follow-ups, overdue first") || !strings.Contains(sam, "Jane Doe") || !strings.Contains(sam, `"user_id":"U0SAM"`) {
		t.Errorf("supervisor's home: %s", sam)
	}
	if !strings.Contains(sam, "Recent changes") || !strings.Contains(sam, annID+"\u003e (slack): *followup sent* · Jane Doe #") || !strings.Contains(sam, "WhatsApp · mode=") {
		t.Errorf("supervisor's home without the send among recent changes: %s", sam)
	}
	if !strings.Contains(ann, "Your follow-ups") || !strings.Contains(ann, "Jane Doe") || strings.Contains(ann, "VIP follow-ups, overdue first") || strings.Contains(ann, "Recent changes") {
		t.Errorf("agent's home: %s", ann)
	}
	if !strings.Contains(stranger, "not registered") {
		t.Errorf("stranger's home: %s", stranger)
	}
	// Slack's URL check answers the challenge.
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	resp, err := http.DefaultClient.Do(signed(e.http.URL+"/slack/events", secret, "application/json", body, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge answered %q", b)
	}
}

// TestSocketMode: a slash command arriving as a Socket Mode envelope is
// acknowledged with the command's answer as payload.
func TestSocketMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acks := make(chan map[string]any, 4)
	var once sync.Once
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A0APP"}})
		once.Do(func() {
			payload := map[string]any{"team_id": teamID, "user_id": annID, "command": "/followup", "text": "find carlos --any",
				"channel_id": "C0SUPPORT", "response_url": e.slack.respond.URL + "/sm", "trigger_id": "t1"}
			_ = c.WriteJSON(map[string]any{"envelope_id": "env-1", "type": "slash_commands", "payload": payload, "accepts_response_payload": true})
		})
		for {
			var m map[string]any
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			acks <- m
		}
	}))
	defer ws.Close()
	// apps.connections.open hands out the websocket URL.
	api := http.NewServeMux()
	api.HandleFunc("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer xapp-test" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"url":"ws` + strings.TrimPrefix(ws.URL, "http") + `/link"}`))
	})
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	client := slack.New("xoxb-test", slack.OptionAPIURL(apiSrv.URL+"/"), slack.OptionAppLevelToken("xapp-test"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx, client, socketmode.OptionPingInterval(time.Minute)) }()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case ack := <-acks:
		if ack["envelope_id"] != "env-1" {
			t.Fatalf("ack %v", ack)
		}
		if got := text(ack["payload"]); !strings.Contains(got, "Carlos Ruiz") || !strings.Contains(got, "WhatsApp: template only") {
			t.Fatalf("ack payload %s", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no ack over Socket Mode")
	}
}
