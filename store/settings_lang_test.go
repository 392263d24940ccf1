package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/i18ntest"
	"github.com/followup-dev/followup/store"
)

// TestSettingErrorsInRussian: a value a setting cannot take is refused in
// the reader's language, for every setting: nothing is left in English
// but the setting's name, the value typed and the values it takes.
func TestSettingErrorsInRussian(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	ru := i18n.New(i18n.Russian)
	bad := map[string]string{"supervisor_language": "fr", "digest_time_zone": "Mars/Olympus", "default_region": "Narnia",
		"reengagement_template": "a b", "quiet_hours": "late", "digest_time": "noonish", "vip_escalate_after": "soon",
		"wechat_message_limit": "many", "closing_logic": "drop", "viber_commercial_terms": "maybe"}
	values := []string{"true", "false", "unassign", "keep", "en", "ru", "off", "none", "GB", "US", "DE", "Europe/Berlin", "UTC",
		"IANA", "ISO", "WhatsApp", "renewal", "renewal:en_US", "45m", "24h", "7d"}
	for _, name := range store.SettingNames() {
		value, ok := bad[name]
		if !ok {
			value = "nonsense"
		}
		err := s.SetSetting(ctx, name, value)
		if err == nil {
			t.Errorf("%s %q: no error", name, value)
			continue
		}
		got := ru.Error(err)
		if left := i18ntest.EnglishLeft(got, append(values, name, value)...); len(left) > 0 || !strings.HasPrefix(got, "настройка "+name) {
			t.Errorf("%s %q in Russian: %q (English: %v)", name, value, got, left)
		}
	}
	// A template that is not there: the store's own error, in Russian too.
	if got := ru.Error(s.SetSetting(ctx, "reengagement_template", "nosuch")); !strings.HasPrefix(got, "настройка reengagement_template: ") ||
		len(i18ntest.EnglishLeft(got, "reengagement_template", "nosuch", "WhatsApp", "followup templates list")) > 0 {
		t.Errorf("reengagement_template nosuch: %q", got)
	}
	if got := ru.Error(s.SetSetting(ctx, "reminder_lead", "-1h")); got != `настройка reminder_lead: "-1h": нужна длительность, например 45m, 24h или 7d` {
		t.Errorf("reminder_lead -1h: %q", got)
	}
	if got := ru.Error(s.SetSetting(ctx, "vip_escalate_after", "soon")); got != `настройка vip_escalate_after: "soon": нужна длительность, например 45m, 24h или 7d, либо off` {
		t.Errorf("vip_escalate_after soon: %q", got)
	}
}
