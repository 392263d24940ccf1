package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tryIt is one command of the README's "Try it" section: the line as the
// README writes it (comment included), and what running it must give.
type tryIt struct {
	line string
	code int
	want []string
	// then checks what the README's comment promises beyond the output.
	then func(t *testing.T, c *cli)
}

// readmeTryIt lists the commands of the README's "Try it" code blocks, in
// order. TestReadmeTryIt fails when the README and this list differ, so a
// change to an example (or to what its comment promises) comes here too.
var readmeTryIt = []tryIt{
	{line: `followup slash "find jane"                          # closed contacts, and what may be sent now on each channel`,
		want: []string{"Closed contacts matching “jane”", "*Jane Doe*", "Conversation closed", "🟢 WhatsApp: free text until", "🟢 Email: free text"}},
	{line: `followup slash "send jane.doe@demo.followup.dev Your refund has landed"`,
		want: []string{"✅ Sent to Jane Doe on WhatsApp as free text"}},
	{line: `followup slash "send carlos.ruiz@demo.followup.dev --via whatsapp Hi"     # 🚫 refused: template only`,
		want: []string{"🚫 WhatsApp: refused", "only an approved template can be sent", "/followup template #2 order_update"}},
	{line: `followup slash 'template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17'`,
		want: []string{"✅ Sent to Carlos Ruiz on WhatsApp as an approved template"}},
	{line: `followup slash "status jane"                        # window, counts, attempts`,
		want: []string{"*WhatsApp follow-up*", "Now: free text until", "Sent since the customer last wrote: 1", "sent as free text"}},
	{line: `followup slash --user U0DEMOSAM vip                 # the supervisor's running VIP follow-ups`,
		want: []string{"Running VIP follow-ups"}},
	{line: `followup slash --user U0SOMEONE "find jane"         # 🔒 not a registered agent: nothing happens`,
		want: []string{"🔒", "not registered", "nothing was done"}},
	{line: `followup slash --user U0DEMOIRA "send mia.chen@demo.followup.dev --via messenger Извините за ожидание"  # Ира's Slack speaks Russian: so does the bot`,
		want: []string{"✅ Отправлено контакту Mia Chen в канале Messenger: свободный текст с тегом HUMAN_AGENT."}},

	{line: `followup contacts find jane --any                                  # Jane, open or closed: the send above reopened hers`,
		want: []string{"Jane Doe", "open"}},
	{line: `followup send jane.doe@demo.followup.dev "Your refund has landed"  # WhatsApp, inside 24 h: free text`,
		want: []string{"Sent to Jane Doe on WhatsApp as free text"}},
	{line: `followup send carlos.ruiz@demo.followup.dev --via whatsapp "Hi"    # refused: only an approved template`,
		code: 1, want: []string{"refused", "only an approved template can be sent"}},
	{line: `followup template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17`,
		want: []string{"Sent to Carlos Ruiz on WhatsApp as an approved template"}},
	{line: `followup send mia.chen@demo.followup.dev --via messenger "Sorry for the wait"   # 24 h–7 d: HUMAN_AGENT tag`,
		want: []string{"Sent to Mia Chen on Messenger", "HUMAN_AGENT tag"}},
	{line: `followup send tom.becker@demo.followup.dev --tag POST_PURCHASE_UPDATE "Shipped" # after 7 d: a tag only`,
		want: []string{"Sent to Tom Becker on Messenger as a message with the POST_PURCHASE_UPDATE tag"}},
	{line: `followup send "Aiko Sato" --via instagram "Hi"                     # refused: Instagram allows nothing now`,
		code: 1, want: []string{"Instagram: refused", "Instagram allows nothing more"}},
	{line: `followup send olga.petrova@demo.followup.dev "Hello"               # Viber after 24 h: billable chatbot message`,
		want: []string{"Sent to Olga Petrova on Viber as a chatbot-initiated (billable) message"}},
	{line: `followup later "Liam Murphy" 2m "Checking in"                      # scheduled …`,
		want: []string{"Scheduled for"}},
	{line: `followup reply "Liam Murphy" webchat "solved, thanks"              # … and cancelled by the customer's reply`,
		want: []string{"Liam Murphy wrote on Website chat", "the running follow-up was told"},
		then: func(t *testing.T, c *cli) {
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				if strings.Contains(c.ok("notifications", "--contact", "Liam Murphy"), "1 scheduled follow-up(s) were cancelled") {
					return
				}
				if time.Now().After(deadline) {
					t.Errorf("the reply did not cancel Liam Murphy's scheduled follow-up:\n%s", c.ok("status", "Liam Murphy"))
					return
				}
			}
		}},
	{line: `followup status jane.doe@demo.followup.dev                         # window, counts, attempts`,
		want: []string{"WhatsApp follow-up", "now: free text until", "sent since the customer's last message: 2", "sent as free text"}},
	{line: `followup outbox                                                    # what the fake providers accepted`,
		want: []string{"Your refund has landed", "order_update(Carlos, A-17)", "Sorry for the wait", "POST_PURCHASE_UPDATE", "chatbot"}},
	{line: `followup notifications                                             # what the agent was told`,
		want: []string{"sent", "refused", "replied", "Liam Murphy replied on Website chat"}},
}

// TestReadmeTryIt runs the README's "Try it" section as a reader would:
// `followup dev` with the demo workspace, then every example in the order
// shown, with nothing but HTTP_ADDR in common (the commands find Temporal
// through FOLLOWUP_DATA_DIR). Each command gives what its comment says,
// and every output the README shows (a "$ followup …" block, or lines dev
// logs) is what the program printed, line for line, but for durations in
// ms and dates.
func TestReadmeTryIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := tryItBlocks(t, string(b))

	// The list above is the README's, in order.
	var lines []string
	for _, bl := range blocks {
		if bl.lang == "sh" {
			lines = append(lines, bl.lines...)
		}
	}
	if len(lines) != len(readmeTryIt) {
		t.Errorf("the README's Try it has %d commands, readmeTryIt %d", len(lines), len(readmeTryIt))
	}
	for i := range min(len(lines), len(readmeTryIt)) {
		if squeeze(lines[i]) != squeeze(readmeTryIt[i].line) {
			t.Errorf("command %d:\nREADME:      %s\nreadmeTryIt: %s", i+1, lines[i], readmeTryIt[i].line)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	_, devOut := startDev(t, c, new(freePort(t)))

	printed := map[string]string{} // command line → its last output
	runLine := func(t *testing.T, line string) (int, string) {
		t.Helper()
		words, _ := shellWords(t, line)
		if len(words) < 2 || words[0] != "followup" {
			t.Fatalf("not a followup command: %s", line)
		}
		code, out, errs := c.run("", words[1:]...)
		printed[strings.Join(words, "\x00")] = out + errs
		return code, out + errs
	}
	next := 0
	for _, bl := range blocks {
		switch {
		case bl.lang == "sh":
			for range bl.lines {
				ex := readmeTryIt[next]
				next++
				code, out := runLine(t, ex.line)
				if code != ex.code {
					t.Errorf("%s\nexit %d, want %d:\n%s", ex.line, code, ex.code, out)
					continue
				}
				for _, w := range ex.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s\nlacks %q:\n%s", ex.line, w, out)
					}
				}
				if ex.then != nil {
					ex.then(t, c)
				}
			}
		case len(bl.lines) > 0 && strings.HasPrefix(bl.lines[0], "$ "):
			// The output of the command on its first line: of its last run
			// so far, or of a run now.
			line := strings.TrimPrefix(bl.lines[0], "$ ")
			words, _ := shellWords(t, line)
			out, ran := printed[strings.Join(words, "\x00")]
			if !ran {
				_, out = runLine(t, line)
			}
			if missing := notShown(bl.lines[1:], out); missing != "" {
				t.Errorf("README shows for %s\n%s\nbut it printed\n%s", line, missing, out)
			}
		default:
			// Lines followup dev logs.
			if missing := notShown(bl.lines, devOut.String()); missing != "" {
				t.Errorf("README shows followup dev logging\n%s\nbut it logged\n%s", missing, devOut.String())
			}
		}
	}
	// What the follow-up told Ира is on the console in her language (the
	// local workspace's users.info says ru-RU), and Ann's in English.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out := devOut.String()
		if strings.Contains(out, "notify [sent] Отправлено контакту Mia Chen в канале Messenger") && strings.Contains(out, "notify [sent] Sent to Jane Doe on WhatsApp") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console lacks Ира's notification in Russian (or Ann's in English):\n%s", out)
		}
	}
}

// block is a fenced code block: its language and lines.
type block struct {
	lang  string
	lines []string
}

// tryItBlocks returns the code blocks of the README's "## Try it" section
// (up to the next "## "), without blank lines.
func tryItBlocks(t *testing.T, readme string) []block {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## Try it\n")
	if !ok {
		t.Fatal(`README.md has no "## Try it" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var blocks []block
	var cur *block
	for line := range strings.Lines(section) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(line, "```") && cur == nil:
			blocks = append(blocks, block{lang: strings.TrimPrefix(line, "```")})
			cur = &blocks[len(blocks)-1]
		case strings.HasPrefix(line, "```"):
			cur = nil
		case cur != nil && strings.TrimSpace(line) != "":
			cur.lines = append(cur.lines, line)
		}
	}
	if cur != nil {
		t.Fatal(`README.md's "Try it" has an unclosed code block`)
	}
	return blocks
}

// shellWords splits a command line as sh would, for what the README uses:
// words, '…' and "…" quotes, and a # comment. Anything else sh would read
// (; | & $ `) fails the test rather than run differently from a shell.
func shellWords(t *testing.T, line string) (words []string, comment string) {
	t.Helper()
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case ch == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:])
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(line[i+1:], ch)
			if end < 0 {
				t.Fatalf("unterminated quote in %s", line)
			}
			q := line[i+1 : i+1+end]
			if ch == '"' && strings.ContainsAny(q, "\\$`") {
				t.Fatalf("%s: the test does not expand %q", line, q)
			}
			w.WriteString(q)
			inWord = true
			i += end + 1
		case strings.IndexByte(";|&$`\\<>()", ch) >= 0:
			t.Fatalf("%s: the test does not run %q as sh would", line, ch)
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, ""
}

var (
	millis = regexp.MustCompile(`\b[0-9]+ ms\b`)
	dates  = regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{1,2} [0-9]{2}:[0-9]{2}\b`)
)

// squeeze collapses runs of spaces, which the README uses to align.
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// loosely is a line with what changes from run to run made the same: how
// long something took and the dates in it.
func loosely(s string) string {
	return squeeze(dates.ReplaceAllString(millis.ReplaceAllString(s, "N ms"), "DATE"))
}

// notShown returns the lines of want that out does not print in that order
// (each a whole line, read loosely), or "" if it prints them all.
func notShown(want []string, out string) string {
	got := strings.Split(out, "\n")
	var missing []string
	j := 0
	for _, w := range want {
		k := j
		for k < len(got) && loosely(got[k]) != loosely(w) {
			k++
		}
		if k == len(got) {
			missing = append(missing, w)
			continue
		}
		j = k + 1
	}
	return strings.Join(missing, "\n")
}
