// Package all is the list of channels the product runs: one driver per
// channel, each paired with its fake provider. Adding a channel is one line
// here (see the README's "Adding a channel").
package all

import (
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/line/linetest"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/telegram"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/viber/vibertest"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/channels/webchat/webchattest"
	"github.com/followup-dev/followup/channels/wechat"
	"github.com/followup-dev/followup/channels/wechat/wechattest"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
)

// Drivers are the channels' drivers in followup.Channels order. The fakes
// live in the <name>test packages, some of which import their channel's
// package (and the wechat package's own tests import wechattest), so a
// channel package cannot name its fake: they meet here.
func Drivers() []channels.Driver {
	return []channels.Driver{
		with(whatsapp.Driver(), whatsapptest.Fake()),
		with(messenger.Driver(), messengertest.Fake()),
		with(instagram.Driver(), instagramtest.Fake()),
		with(viber.Driver(), vibertest.Fake()),
		with(wechat.Driver(), wechattest.Fake()),
		with(telegram.Driver(), telegramtest.Fake()),
		with(line.Driver(), linetest.Fake()),
		with(webchat.Driver(), webchattest.Fake()),
		with(twilio.Driver(), twiliotest.Fake()),
		with(email.Driver(), emailtest.Fake()),
	}
}

func with(d channels.Driver, f channels.Fake) channels.Driver {
	d.Fake = f
	return d
}

// Driver is ch's driver; false for a channel without one.
func Driver(ch followup.Channel) (channels.Driver, bool) {
	for _, d := range Drivers() {
		if d.Channel == ch {
			return d, true
		}
	}
	return channels.Driver{}, false
}

// Vars are the variables of every channel, each once (the three Meta
// channels share their webhook's), in Drivers' order: Send, Hook, then
// Optional of each. FOLLOWUP_PUBLIC_URL is among them (Twilio signs it);
// a configuration that reads it for itself too takes it once.
func Vars() []channels.Var {
	var vs []channels.Var
	seen := map[string]bool{}
	for _, d := range Drivers() {
		for _, v := range d.Vars() {
			if !seen[v.Name] {
				seen[v.Name] = true
				vs = append(vs, v)
			}
		}
	}
	return vs
}
