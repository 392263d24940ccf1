// Package demo loads the demo workspace of `followup dev`: two agents,
// WhatsApp templates, and contacts on every channel whose last inbound
// messages put their windows in every interesting state.
package demo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/bits"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
	"github.com/followup-dev/followup/store"
)

// Agents of the demo workspace.
var (
	Agent      = followup.Agent{SlackUserID: "U0DEMOANN", Name: "Ann (demo agent)", Role: followup.RoleAgent}
	Supervisor = followup.Agent{SlackUserID: "U0DEMOSAM", Name: "Sam (demo supervisor)", Role: followup.RoleSupervisor}
	// RussianAgent reads Slack in Russian: the local workspace's users.info
	// gives her Locales' ru-RU.
	RussianAgent = followup.Agent{SlackUserID: "U0DEMOIRA", Name: "Ира (демо-агент)", Role: followup.RoleAgent}
)

// Locales are the demo agents' Slack locales, as the local workspace's
// users.info gives them; an agent not listed reads English.
var Locales = map[string]string{RussianAgent.SlackUserID: "ru-RU"}

// Contact is one demo contact: its identities and how long ago the customer
// last wrote on each (negative: never).
type Contact struct {
	First, Last, Email, Phone string
	VIP                       bool
	Channels                  map[followup.Channel]time.Duration
	KeepAssignee              bool
}

// Contacts are the demo contacts; the comment says what each shows.
var Contacts = []Contact{
	// WhatsApp inside the window: free text.
	{First: "Jane", Last: "Doe", Email: "jane.doe@demo.followup.dev", Phone: "+14155550142", Channels: map[followup.Channel]time.Duration{followup.WhatsApp: 2 * time.Hour, followup.Email: 5 * 24 * time.Hour}},
	// WhatsApp after the window: template only.
	{First: "Carlos", Last: "Ruiz", Email: "carlos.ruiz@demo.followup.dev", Phone: "+34612345678", Channels: map[followup.Channel]time.Duration{followup.WhatsApp: 30 * time.Hour, followup.SMS: -1}},
	// Messenger 24 h–7 d: HUMAN_AGENT; Instagram inside the window.
	{First: "Mia", Last: "Chen", Email: "mia.chen@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.Messenger: 30 * time.Hour, followup.Instagram: 3 * time.Hour}, KeepAssignee: true},
	// Messenger after 7 days: a message tag only.
	{First: "Tom", Last: "Becker", Email: "tom.becker@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.Messenger: 9 * 24 * time.Hour}},
	// Instagram after 7 days: nothing; LINE: free text any time.
	{First: "Aiko", Last: "Sato", Email: "aiko.sato@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.Instagram: 9 * 24 * time.Hour, followup.LINE: 20 * 24 * time.Hour}},
	// Viber after the window: a chatbot-initiated (billable) message.
	{First: "Olga", Last: "Petrova", Email: "olga.petrova@demo.followup.dev", Phone: "+79123456789", Channels: map[followup.Channel]time.Duration{followup.Viber: 3 * 24 * time.Hour}},
	// WeChat inside the 48 h window: free text, counted against 20.
	{First: "Wei", Last: "Zhang", Email: "wei.zhang@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.WeChat: 10 * time.Hour}, VIP: true},
	// WeChat after 48 h: nothing until the customer writes.
	{First: "Lukas", Last: "Müller", Email: "lukas.mueller@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.WeChat: 50 * time.Hour, followup.Telegram: -1}, VIP: true},
	// Channels without a window.
	{First: "Liam", Last: "Murphy", Email: "liam.murphy@demo.followup.dev", Channels: map[followup.Channel]time.Duration{followup.Telegram: -1, followup.Webchat: 2 * time.Hour}},
	{First: "Zoë", Last: "Martin", Email: "zoe.martin@demo.followup.dev", Phone: "+33612345678", VIP: true, Channels: map[followup.Channel]time.Duration{followup.SMS: 4 * 24 * time.Hour, followup.Email: -1}},
}

// Templates are the demo WhatsApp templates.
var Templates = []followup.Template{
	{Channel: followup.WhatsApp, Name: "order_update", Language: "en", Status: followup.TemplateApproved, ParamCount: 2, Body: "Hi {{1}}, your order {{2}} has shipped."},
	{Channel: followup.WhatsApp, Name: "refund_landed", Language: "en", Status: followup.TemplateApproved, ParamCount: 1, Body: "Hi {{1}}, your refund has landed."},
	{Channel: followup.WhatsApp, Name: "spring_promo", Language: "en", Status: followup.TemplatePending, ParamCount: 0, Body: "Spring sale!"},
}

// Load writes the demo workspace once; loaded is false when it was already
// there (a restart of `followup dev` keeps what happened since, and only
// gives identities of an older demo their realistic ids).
func Load(ctx context.Context, st *store.Store, now time.Time) (loaded bool, err error) {
	if _, err := st.AgentBySlackUser(ctx, Agent.SlackUserID); err == nil {
		// A workspace loaded before she joined gets her too.
		if _, err := st.AgentBySlackUser(ctx, RussianAgent.SlackUserID); followup.ErrorCodeOf(err) == followup.ENotFound {
			if _, _, err := st.SaveAgent(ctx, RussianAgent); err != nil {
				return false, fmt.Errorf("demo: add %s: %w", RussianAgent.Name, err)
			}
		}
		return false, upgradeIDs(ctx, st)
	}
	return true, load(ctx, st, now)
}

// ExternalID is a demo contact's id on ch, in the provider's format (the
// form its driver gives), so the sandbox's fake providers take it as the
// real ones would: a Messenger PSID (16 digits), an Instagram IGSID (17), a
// Telegram chat id (10), a WeChat openid ("o" and 27 URL-safe base64
// characters), a LINE user id ("U" and 32 hex digits), a website-chat
// visitor ("v-" and 16 hex digits) and a Viber user id (16 bytes in
// base64). It is derived from the name, so it is the same at every load.
// Email, SMS and WhatsApp use the contact's address or phone: "".
func ExternalID(ch followup.Channel, first, last string) string {
	d, ok := all.Driver(ch)
	if !ok || d.ID.Len == 0 {
		return ""
	}
	return derive(d.ID, sha256.Sum256([]byte("followup-demo:"+string(ch)+":"+first+" "+last)))
}

// derive is an id of form f made from the bits of sum: a number takes a
// digit from each byte (the first never 0); hex and base64 encode the
// bits in order, as hex.EncodeToString and base64 do. A form longer than
// sum reuses it.
func derive(f channels.IDForm, sum [32]byte) string {
	b := []byte(f.Prefix)
	n := len(f.Alphabet)
	if f.Alphabet == channels.Digits {
		b = append(b, f.Alphabet[1+int(sum[0])%(n-1)])
		for i := 1; i < f.Len; i++ {
			b = append(b, f.Alphabet[int(sum[i%len(sum)])%n])
		}
		return string(append(b, f.Suffix...))
	}
	k := bits.Len(uint(n)) - 1 // bits per character
	limit := f.Bits
	if limit == 0 {
		limit = f.Len * k
	}
	for i := range f.Len {
		v := 0
		for j := range k {
			v <<= 1
			if bit := i*k + j; bit < limit {
				v |= int(sum[bit/8%len(sum)]>>(7-bit%8)) & 1
			}
		}
		b = append(b, f.Alphabet[v])
	}
	return string(append(b, f.Suffix...))
}

// upgradeIDs replaces the placeholder ids ("demo-line-Aiko") an older demo
// stored, which the fake providers refuse, by ExternalID's.
func upgradeIDs(ctx context.Context, st *store.Store) error {
	for _, c := range Contacts {
		for ch := range c.Channels {
			id := ExternalID(ch, c.First, c.Last)
			if d, _ := all.Driver(ch); id == "" || d.ID.By != "" {
				continue // addressed by phone or email then, which still works
			}
			if err := st.ReplaceExternalID(ctx, ch, fmt.Sprintf("demo-%s-%s", ch, c.First), id); err != nil {
				return fmt.Errorf("demo: upgrade the %s id of %s %s: %w", ch, c.First, c.Last, err)
			}
		}
	}
	return nil
}

func load(ctx context.Context, st *store.Store, now time.Time) error {
	ann, _, err := st.SaveAgent(ctx, Agent)
	if err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	if _, _, err := st.SaveAgent(ctx, RussianAgent); err != nil {
		return err
	}
	if _, _, err := st.SaveAgent(ctx, Supervisor); err != nil {
		return fmt.Errorf("demo supervisor: %w", err)
	}
	for _, t := range Templates {
		if _, err := st.SaveTemplate(ctx, t); err != nil {
			return fmt.Errorf("demo template %s: %w", t.Name, err)
		}
	}
	for _, c := range Contacts {
		vip := c.VIP
		var id int64
		for _, ch := range followup.Channels {
			ago, ok := c.Channels[ch]
			if !ok {
				continue
			}
			in := store.ContactInput{FirstName: c.First, LastName: c.Last, Email: c.Email, Phone: c.Phone, VIP: &vip, Channel: ch,
				ExternalID: ExternalID(ch, c.First, c.Last)}
			if ago >= 0 {
				t := now.Add(-ago)
				in.LastInboundAt = &t
			}
			if id, _, err = st.SaveContact(ctx, in); err != nil {
				return fmt.Errorf("demo contact %s %s: %w", c.First, c.Last, err)
			}
		}
		// Every demo conversation starts closed: they are follow-up candidates.
		if _, err := st.ReopenAndAssign(ctx, id, ann.ID, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		logic := followup.Unassign
		if c.KeepAssignee {
			logic = followup.Keep
		}
		if _, err := st.CloseConversation(ctx, id, logic, now.Add(-23*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}
