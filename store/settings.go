package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
)

// setting describes one workspace setting: its column and how to read a
// value a person typed.
type setting struct {
	column string
	parse  func(string) (any, error)
	show   func(followup.Settings) string
}

func intSetting(min int) func(string) (any, error) {
	return func(v string) (any, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < min {
			return nil, followup.Errorf(followup.EInvalid, "want a whole number ≥ %d", min)
		}
		return n, nil
	}
}

func boolSetting(v string) (any, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, followup.Errorf(followup.EInvalid, "want true or false")
	}
	return b, nil
}

func durSetting(positive bool) func(string) (any, error) {
	return func(v string) (any, error) {
		d, err := parseDuration(v)
		if err != nil || d < 0 || (positive && d == 0) {
			return nil, followup.Errorf(followup.EInvalid, "want a duration like 45m, 24h or 7d")
		}
		return fmt.Sprintf("%d microseconds", d.Microseconds()), nil
	}
}

// parseDuration is time.ParseDuration plus whole days ("7d").
func parseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

func showDur(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

var settingsTable = map[string]setting{
	"closing_logic": {"closing_logic", func(v string) (any, error) {
		if v != string(followup.Unassign) && v != string(followup.Keep) {
			return nil, followup.Errorf(followup.EInvalid, "want unassign or keep")
		}
		return v, nil
	}, func(s followup.Settings) string { return string(s.ClosingLogic) }},
	"wechat_message_limit":   {"wechat_message_limit", intSetting(1), func(s followup.Settings) string { return strconv.Itoa(s.WeChatMessageLimit) }},
	"viber_free_allowance":   {"viber_free_allowance", intSetting(0), func(s followup.Settings) string { return strconv.Itoa(s.ViberFreeAllowance) }},
	"viber_commercial_terms": {"viber_commercial_terms", boolSetting, func(s followup.Settings) string { return strconv.FormatBool(s.ViberCommercialTerms) }},
	"reminder_lead":          {"reminder_lead", durSetting(false), func(s followup.Settings) string { return showDur(s.ReminderLead) }},
	"message_tags_enabled":   {"message_tags_enabled", boolSetting, func(s followup.Settings) string { return strconv.FormatBool(s.MessageTagsEnabled) }},
	"whatsapp_window":        {"whatsapp_window", durSetting(true), func(s followup.Settings) string { return showDur(s.WhatsAppWindow) }},
	"messenger_window":       {"messenger_window", durSetting(true), func(s followup.Settings) string { return showDur(s.MessengerWindow) }},
	"instagram_window":       {"instagram_window", durSetting(true), func(s followup.Settings) string { return showDur(s.InstagramWindow) }},
	"human_agent_window":     {"human_agent_window", durSetting(true), func(s followup.Settings) string { return showDur(s.HumanAgentWindow) }},
	"viber_window":           {"viber_window", durSetting(true), func(s followup.Settings) string { return showDur(s.ViberWindow) }},
	"wechat_window":          {"wechat_window", durSetting(true), func(s followup.Settings) string { return showDur(s.WeChatWindow) }},
	"default_region":         {"default_region", regionSetting, func(s followup.Settings) string { return showRegion(s.DefaultRegion) }},
	"reengagement_template":  {"reengagement_template", reengagementSetting, func(s followup.Settings) string { return showNone(s.ReengagementTemplate) }},
	"digest_time":            {"digest_time", digestTimeSetting, func(s followup.Settings) string { return s.DigestTime }},
	"digest_time_zone":       {"digest_time_zone", timeZoneSetting, func(s followup.Settings) string { return s.DigestTimeZone }},
	"quiet_hours":            {"quiet_hours", quietHoursSetting, func(s followup.Settings) string { return s.QuietHours }},
	"vip_escalate_after":     {"vip_escalate_after", offOr(durSetting(false)), func(s followup.Settings) string { return showOff(s.VIPEscalateAfter) }},
	"supervisor_language": {"supervisor_language", func(v string) (any, error) {
		if v = strings.ToLower(v); v != "en" && v != "ru" {
			return nil, followup.Errorf(followup.EInvalid, "want en or ru")
		}
		return v, nil
	}, func(s followup.Settings) string { return s.SupervisorLanguage }},
}

// offOr reads "off" as a zero duration, else what parse reads.
func offOr(parse func(string) (any, error)) func(string) (any, error) {
	return func(v string) (any, error) {
		if strings.EqualFold(v, "off") {
			return "0 seconds", nil
		}
		v2, err := parse(v)
		if err != nil {
			return nil, followup.Errorf(followup.EInvalid, "%v, or off", err)
		}
		return v2, nil
	}
}

// showOff shows a zero duration as off.
func showOff(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return showDur(d)
}

// quietHoursSetting reads quiet hours: HH:MM-HH:MM on a 24-hour clock
// (21:00-08:00 spans midnight), or off.
func quietHoursSetting(v string) (any, error) {
	if strings.EqualFold(v, followup.QuietOff) {
		return followup.QuietOff, nil
	}
	from, to, ok := strings.Cut(v, "-")
	a, err1 := time.Parse("15:04", strings.TrimSpace(from))
	b, err2 := time.Parse("15:04", strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil || a.Equal(b) {
		return nil, followup.Errorf(followup.EInvalid, "want a span like 21:00-08:00 (24-hour clock, in the contact's time zone), or %s", followup.QuietOff)
	}
	return a.Format("15:04") + "-" + b.Format("15:04"), nil
}

// digestTimeSetting reads when the daily digest is posted: HH:MM on a
// 24-hour clock, or off.
func digestTimeSetting(v string) (any, error) {
	if strings.EqualFold(v, followup.DigestOff) {
		return followup.DigestOff, nil
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		return nil, followup.Errorf(followup.EInvalid, "want a time like 09:00 (24-hour clock), or %s", followup.DigestOff)
	}
	return t.Format("15:04"), nil
}

// timeZoneSetting reads an IANA time zone name (Europe/Berlin, UTC).
func timeZoneSetting(v string) (any, error) {
	if v == "" || strings.EqualFold(v, "local") {
		return nil, followup.Errorf(followup.EInvalid, "want an IANA time zone name like Europe/Berlin or UTC")
	}
	if _, err := time.LoadLocation(v); err != nil {
		return nil, followup.Errorf(followup.EInvalid, "want an IANA time zone name like Europe/Berlin or UTC")
	}
	return v, nil
}

// noRegion is how "no default region" is written and shown.
const noRegion = "none"

// regionSetting reads the region national phone numbers are read in: an
// ISO 3166 alpha-2 code the phone library knows, or none.
func regionSetting(v string) (any, error) {
	r := strings.ToUpper(v)
	switch {
	case r == "" || strings.EqualFold(r, noRegion):
		return "", nil
	case !ValidRegion(r):
		return nil, followup.Errorf(followup.EInvalid, "want a two-letter ISO 3166 country code like GB, US or DE, or %s (phone numbers must then have a country code)", noRegion)
	}
	return r, nil
}

// reengagementSetting reads the default re-engagement template: NAME or
// NAME:LANGUAGE (SetSetting checks that it exists), or none.
func reengagementSetting(v string) (any, error) {
	if v == "" || strings.EqualFold(v, noRegion) {
		return "", nil
	}
	name, lang, _ := strings.Cut(v, ":")
	if name == "" || strings.ContainsAny(v, " \t") || strings.Count(v, ":") > 1 || (strings.Contains(v, ":") && lang == "") {
		return nil, followup.Errorf(followup.EInvalid, "want a WhatsApp template's name, optionally with its language (renewal or renewal:en_US), or %s", noRegion)
	}
	return v, nil
}

func showNone(v string) string {
	if v == "" {
		return noRegion
	}
	return v
}

func showRegion(r string) string {
	if r == "" {
		return noRegion
	}
	return r
}

// SettingNames lists the settings a workspace can change, sorted.
func SettingNames() []string {
	out := make([]string, 0, len(settingsTable))
	for k := range settingsTable {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ShowSetting formats one setting's value as SetSetting accepts it.
func ShowSetting(s followup.Settings, name string) string {
	return settingsTable[name].show(s)
}

// Settings reads the workspace settings.
func (s *Store) Settings(ctx context.Context) (followup.Settings, error) {
	var r struct {
		ClosingLogic         string `db:"closing_logic"`
		WeChatMessageLimit   int    `db:"wechat_message_limit"`
		ViberFreeAllowance   int    `db:"viber_free_allowance"`
		ViberCommercialTerms bool   `db:"viber_commercial_terms"`
		ReminderLead         int64  `db:"reminder_lead"`
		MessageTagsEnabled   bool   `db:"message_tags_enabled"`
		WhatsApp             int64  `db:"whatsapp_window"`
		Messenger            int64  `db:"messenger_window"`
		Instagram            int64  `db:"instagram_window"`
		HumanAgent           int64  `db:"human_agent_window"`
		Viber                int64  `db:"viber_window"`
		WeChat               int64  `db:"wechat_window"`
		DefaultRegion        string `db:"default_region"`
		Reengagement         string `db:"reengagement_template"`
		DigestTime           string `db:"digest_time"`
		DigestTimeZone       string `db:"digest_time_zone"`
		VIPEscalateAfter     int64  `db:"vip_escalate_after"`
		QuietHours           string `db:"quiet_hours"`
		SupervisorLanguage   string `db:"supervisor_language"`
	}
	us := func(col string) string { return "(extract(epoch FROM " + col + ") * 1000000)::bigint AS " + col }
	err := s.db.GetContext(ctx, &r, `SELECT closing_logic, wechat_message_limit, viber_free_allowance, viber_commercial_terms, message_tags_enabled, default_region, reengagement_template, digest_time, digest_time_zone, quiet_hours, supervisor_language, `+
		strings.Join([]string{us("reminder_lead"), us("whatsapp_window"), us("messenger_window"), us("instagram_window"), us("human_agent_window"), us("viber_window"), us("wechat_window"), us("vip_escalate_after")}, ", ")+
		` FROM settings`)
	if err != nil {
		return followup.Settings{}, translate(err, "read settings")
	}
	d := func(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
	return followup.Settings{
		ClosingLogic:         followup.ClosingLogic(r.ClosingLogic),
		WeChatMessageLimit:   r.WeChatMessageLimit,
		ViberFreeAllowance:   r.ViberFreeAllowance,
		ViberCommercialTerms: r.ViberCommercialTerms,
		ReminderLead:         d(r.ReminderLead),
		MessageTagsEnabled:   r.MessageTagsEnabled,
		WhatsAppWindow:       d(r.WhatsApp),
		MessengerWindow:      d(r.Messenger),
		InstagramWindow:      d(r.Instagram),
		HumanAgentWindow:     d(r.HumanAgent),
		ViberWindow:          d(r.Viber),
		WeChatWindow:         d(r.WeChat),
		DefaultRegion:        r.DefaultRegion,
		ReengagementTemplate: r.Reengagement,
		DigestTime:           r.DigestTime,
		DigestTimeZone:       r.DigestTimeZone,
		VIPEscalateAfter:     d(r.VIPEscalateAfter),
		QuietHours:           r.QuietHours,
		SupervisorLanguage:   r.SupervisorLanguage,
	}, nil
}

// SetSetting changes one setting from its text form ("reminder_lead", "30m").
func (s *Store) SetSetting(ctx context.Context, name, value string) error {
	st, ok := settingsTable[name]
	if !ok {
		return followup.Errorf(followup.EInvalid, "unknown setting %q (one of: %s)", name, strings.Join(SettingNames(), ", "))
	}
	v, err := st.parse(strings.TrimSpace(value))
	if err != nil {
		return followup.Errorf(followup.EInvalid, "setting %s: %q: %v", name, value, err)
	}
	if name == "reengagement_template" && v != "" {
		tn, lang, _ := strings.Cut(v.(string), ":")
		t, err := s.Template(ctx, followup.WhatsApp, tn, lang)
		if err != nil {
			var why any = followup.ErrorMessage(err)
			if e := (*followup.Error)(nil); errors.As(err, &e) {
				why = e // in the reader's language
			}
			return followup.Errorf(followup.ErrorCodeOf(err), "setting %s: %s", name, why)
		}
		if t.ParamCount != 0 {
			return followup.Errorf(followup.EInvalid, "setting %s: %s takes %d parameter(s); a default re-engagement template must take none, since nobody fills them in", name, tn, t.ParamCount)
		}
	}
	// The column name comes from settingsTable, never from input.
	_, err = s.db.ExecContext(ctx, `UPDATE settings SET `+st.column+` = $1`, v)
	return translate(err, "set "+name)
}
