package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
)

type fixture struct {
	s      *store.Store
	ids    map[string]int64
	agentA int64
	agentB int64
}

// searchFixture builds a small workspace whose names, phones and emails
// exercise every search rule.
func searchFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	a, _, _ := s.SaveAgent(ctx, followup.Agent{SlackUserID: "UA", Name: "Agent A"})
	b, _, _ := s.SaveAgent(ctx, followup.Agent{SlackUserID: "UB", Name: "Agent B"})
	if err := s.SetSetting(ctx, "closing_logic", "keep"); err != nil {
		t.Fatal(err)
	}
	f := fixture{s: s, ids: map[string]int64{}, agentA: a.ID, agentB: b.ID}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	add := func(key string, in store.ContactInput, status followup.ConvStatus, agent int64, hoursAgo int) {
		t.Helper()
		id, _, err := s.SaveContact(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		at := base.Add(-time.Duration(hoursAgo) * time.Hour)
		if agent != 0 {
			if _, err := s.ReopenAndAssign(ctx, id, agent, at); err != nil {
				t.Fatal(err)
			}
			if status == followup.Closed {
				if _, err := s.CloseConversation(ctx, id, followup.Keep, at); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			if _, _, err := s.SaveContact(ctx, store.ContactInput{Email: in.Email, ConvStatus: status, Channel: followup.Email, LastInboundAt: &at}); err != nil {
				t.Fatal(err)
			}
		}
		f.ids[key] = id
	}
	add("jose", store.ContactInput{FirstName: "José", LastName: "Álvarez", Email: "Jose.Alvarez@Example.com", Phone: "+34 612 345 678"}, followup.Closed, a.ID, 5)
	add("jane", store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "Jane.Doe@Mail.com", Phone: "+1 (415) 555-0142"}, followup.Closed, 0, 0)
	add("janet", store.ContactInput{FirstName: "Janet", LastName: "Doerr", Email: "janet@doerr.example"}, followup.Closed, b.ID, 1)
	add("dmitry", store.ContactInput{FirstName: "Дмитрий", LastName: "Иванов", Email: "dima@example.ru", Phone: "+7 912 345 67 89"}, followup.Closed, 0, 0)
	add("ming", store.ContactInput{FirstName: "小明", LastName: "王", Email: "xm@example.cn"}, followup.Closed, 0, 0)
	add("smith", store.ContactInput{FirstName: "Jane", LastName: "Smith", Email: "jsmith@example.com", Phone: "+44 20 7946 0958"}, followup.Open, b.ID, 2)
	add("soren", store.ContactInput{FirstName: "Søren", LastName: "Kierkegaard", Email: "soren@example.dk"}, followup.Closed, 0, 0)
	add("obrien", store.ContactInput{FirstName: "Liam", LastName: "O'Brien", Email: "liam@example.ie", Phone: "+353 1 234 5678"}, followup.Closed, 0, 0)
	add("pct", store.ContactInput{FirstName: "Percy", LastName: "100%_Real", Email: "percy@example.com"}, followup.Closed, 0, 0)
	add("nophone", store.ContactInput{FirstName: "Zoë", LastName: "Nophone", Email: "ZOE@EXAMPLE.COM"}, followup.Closed, 0, 0)
	add("mary", store.ContactInput{FirstName: "Mary Ann", LastName: "van der Berg", Email: "mary@example.nl"}, followup.Closed, 0, 0)
	return f
}

func TestFind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := searchFixture(t)
	type want struct {
		keys  []string // in rank order
		kind  store.Kind
		match store.MatchKind // of the first result
	}
	cases := []struct {
		name  string
		q     store.Query
		want  want
		exact bool // the key list must equal, not just start with
	}{
		{"accent-insensitive first name", store.Query{Text: "jose"}, want{[]string{"jose"}, store.KindName, store.MatchExact}, true},
		{"accents in the query", store.Query{Text: "ÁLVAREZ"}, want{[]string{"jose"}, store.KindName, store.MatchExact}, true},
		{"first and last prefix", store.Query{Text: "jan do"}, want{[]string{"jane", "janet"}, store.KindName, store.MatchPrefix}, true},
		{"full name exact before prefix", store.Query{Text: "Jane Doe"}, want{[]string{"jane", "janet"}, store.KindName, store.MatchExact}, true},
		{"last name first", store.Query{Text: "doe jane"}, want{[]string{"jane", "janet"}, store.KindName, store.MatchExact}, true},
		{"first name prefix, closed only", store.Query{Text: "jane"}, want{[]string{"jane", "janet"}, store.KindName, store.MatchExact}, true},
		{"cyrillic prefix", store.Query{Text: "дмит"}, want{[]string{"dmitry"}, store.KindName, store.MatchPrefix}, true},
		{"cyrillic case", store.Query{Text: "ДМИТРИЙ иванов"}, want{[]string{"dmitry"}, store.KindName, store.MatchExact}, true},
		{"cjk given name", store.Query{Text: "小明"}, want{[]string{"ming"}, store.KindName, store.MatchExact}, true},
		{"cjk family name", store.Query{Text: "王"}, want{[]string{"ming"}, store.KindName, store.MatchExact}, true},
		{"letters without decomposition", store.Query{Text: "soren"}, want{[]string{"soren"}, store.KindName, store.MatchExact}, true},
		{"multi-word first name", store.Query{Text: "mary ann"}, want{[]string{"mary"}, store.KindName, store.MatchExact}, true},
		{"multi-word last name", store.Query{Text: "van der b"}, want{[]string{"mary"}, store.KindName, store.MatchPrefix}, true},
		{"apostrophe", store.Query{Text: "o'bri"}, want{[]string{"obrien"}, store.KindName, store.MatchPrefix}, true},
		{"percent is literal", store.Query{Text: "100%"}, want{[]string{"pct"}, store.KindName, store.MatchPrefix}, true},
		{"underscore is literal", store.Query{Text: "100%_r"}, want{[]string{"pct"}, store.KindName, store.MatchPrefix}, true},
		{"typo falls back to trigram", store.Query{Text: "kierkegard"}, want{[]string{"soren"}, store.KindName, store.MatchFuzzy}, false},
		{"typo in full name", store.Query{Text: "jnae doe"}, want{[]string{"jane"}, store.KindName, store.MatchFuzzy}, false},
		{"e164 with punctuation", store.Query{Text: "+1 (415) 555-0142"}, want{[]string{"jane"}, store.KindPhone, store.MatchExact}, true},
		{"national digits", store.Query{Text: "4155550142"}, want{[]string{"jane"}, store.KindPhone, store.MatchPrefix}, true},
		{"trailing digits", store.Query{Text: "555 0142"}, want{[]string{"jane"}, store.KindPhone, store.MatchPrefix}, true},
		{"phone with dots", store.Query{Text: "912.345.67.89"}, want{[]string{"dmitry"}, store.KindPhone, store.MatchPrefix}, true},
		{"open contact hidden from closed phone search", store.Query{Text: "7946 0958"}, want{nil, store.KindPhone, ""}, true},
		{"email mixed case exact", store.Query{Text: "JANE.DOE@mail.COM"}, want{[]string{"jane"}, store.KindEmail, store.MatchExact}, true},
		{"email prefix", store.Query{Text: "jose.alvarez@"}, want{[]string{"jose"}, store.KindEmail, store.MatchPrefix}, true},
		{"stored upper-case email", store.Query{Text: "zoe@example.com"}, want{[]string{"nophone"}, store.KindEmail, store.MatchExact}, true},
		{"email does not match the middle", store.Query{Text: "@example.com"}, want{nil, store.KindEmail, ""}, true},
		{"mine: kept assignee", store.Query{Text: "jose", Inbox: store.InboxMine, AgentID: f.agentA}, want{[]string{"jose"}, store.KindName, store.MatchExact}, true},
		{"mine never leaks", store.Query{Text: "jan", Inbox: store.InboxMine, AgentID: f.agentA}, want{nil, store.KindName, ""}, true},
		{"mine never leaks into fuzzy", store.Query{Text: "jnae doe", Inbox: store.InboxMine, AgentID: f.agentB}, want{nil, store.KindName, ""}, true},
		{"mine of B, closed", store.Query{Text: "jan", Inbox: store.InboxMine, AgentID: f.agentB}, want{[]string{"janet"}, store.KindName, store.MatchPrefix}, true},
		{"mine of B, open", store.Query{Text: "jane", Inbox: store.InboxMine, AgentID: f.agentB, Status: store.StatusOpen}, want{[]string{"smith"}, store.KindName, store.MatchExact}, true},
		{"open only", store.Query{Text: "jane", Status: store.StatusOpen}, want{[]string{"smith"}, store.KindName, store.MatchExact}, true},
		{"any status", store.Query{Text: "jane s", Status: store.StatusAny}, want{[]string{"smith"}, store.KindName, store.MatchPrefix}, true},
		{"closed default hides open contacts from fuzzy too", store.Query{Text: "jane smiht"}, want{nil, store.KindName, ""}, true},
		{"typo, any status", store.Query{Text: "jane smiht", Status: store.StatusAny}, want{[]string{"smith"}, store.KindName, store.MatchFuzzy}, true},
		{"typo in the first letter", store.Query{Text: "vierkegaard"}, want{[]string{"soren"}, store.KindName, store.MatchFuzzy}, true},
		{"transposed letters in a first name", store.Query{Text: "jsoe"}, want{[]string{"jose"}, store.KindName, store.MatchFuzzy}, false},
		{"cyrillic typo", store.Query{Text: "иваонв"}, want{[]string{"dmitry"}, store.KindName, store.MatchFuzzy}, true},
		{"sql injection is just a name", store.Query{Text: "'; DROP TABLE contacts; --"}, want{nil, store.KindName, ""}, true},
		{"backslash", store.Query{Text: `\`}, want{nil, store.KindName, ""}, true},
		{"lone percent", store.Query{Text: "%"}, want{nil, store.KindName, ""}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := f.s.Find(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if page.Kind != tc.want.kind {
				t.Errorf("kind %s, want %s", page.Kind, tc.want.kind)
			}
			got := f.keys(page)
			if tc.exact && strings.Join(got, ",") != strings.Join(tc.want.keys, ",") {
				t.Fatalf("got %v, want %v", got, tc.want.keys)
			}
			if !tc.exact && (len(got) == 0 || got[0] != tc.want.keys[0]) {
				t.Fatalf("got %v, want %v first", got, tc.want.keys[0])
			}
			if len(page.Results) > 0 && page.Results[0].Match != tc.want.match {
				t.Errorf("first match %s, want %s", page.Results[0].Match, tc.want.match)
			}
			for _, r := range page.Results {
				if tc.q.Inbox == store.InboxMine && (r.AssigneeID == nil || *r.AssigneeID != tc.q.AgentID) {
					t.Errorf("mine leaked contact %d assigned to %v", r.ID, r.AssigneeID)
				}
			}
		})
	}
	// The table is still there after the injection attempt.
	if _, err := f.s.Contact(ctx, f.ids["jane"]); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) keys(p store.Page) []string {
	var out []string
	for _, r := range p.Results {
		for k, id := range f.ids {
			if id == r.ID {
				out = append(out, k)
			}
		}
	}
	return out
}

func TestFindBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := searchFixture(t)
	for name, q := range map[string]store.Query{
		"empty":          {Text: "   "},
		"10,000 chars":   {Text: strings.Repeat("a", 10000)},
		"control char":   {Text: "jane\x00doe"},
		"invalid utf-8":  {Text: "jane\xff"},
		"mine, no agent": {Text: "jane", Inbox: store.InboxMine},
		"bad status":     {Text: "jane", Status: "deleted"},
		"bad inbox":      {Text: "jane", Inbox: "theirs"},
		"huge limit":     {Text: "jane", Limit: 1000000},
		"negative limit": {Text: "jane", Limit: -1},
		"huge offset":    {Text: "jane", Offset: 1 << 30},
	} {
		if _, err := f.s.Find(ctx, q); followup.ErrorCodeOf(err) != followup.EInvalid {
			t.Errorf("%s: want invalid, got %v", name, err)
		}
	}
}

func TestFindPaginates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := searchFixture(t)
	seen := map[int64]bool{}
	var order []int64
	for off := 0; ; off++ {
		p, err := f.s.Find(ctx, store.Query{Text: "j", Status: store.StatusAny, Limit: 1, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Results) == 0 {
			break
		}
		id := p.Results[0].ID
		if seen[id] {
			t.Fatalf("contact %d on two pages", id)
		}
		seen[id] = true
		order = append(order, id)
		if !p.HasMore {
			break
		}
	}
	// Jane Doe, Janet Doerr, Jane Smith, José Álvarez: exact none, all prefix,
	// most recent activity first.
	if len(order) != 4 {
		t.Fatalf("pages: %v", order)
	}
	if order[0] != f.ids["jane"] || order[1] != f.ids["janet"] || order[2] != f.ids["smith"] || order[3] != f.ids["jose"] {
		t.Fatalf("order by activity: %v (ids %v)", order, f.ids)
	}
	// Past the end of a non-empty result set is empty, not a fuzzy page.
	p, err := f.s.Find(ctx, store.Query{Text: "j", Status: store.StatusAny, Offset: 10})
	if err != nil || len(p.Results) != 0 {
		t.Fatalf("past the end: %+v %v", p, err)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]store.Kind{
		"a@b":               store.KindEmail,
		"+1 (415) 555-0142": store.KindPhone,
		"555 0142":          store.KindPhone,
		"12":                store.KindName,
		"route 66":          store.KindName,
		"jane":              store.KindName,
		"":                  store.KindName,
	} {
		if got := store.Classify(q); got != want {
			t.Errorf("%q: %s, want %s", q, got, want)
		}
	}
}
