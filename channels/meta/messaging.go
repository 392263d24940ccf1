package meta

// Messenger Platform webhooks (Messenger and Instagram messaging) share one
// shape: {"object":…,"entry":[{"id","time","messaging":[…]}]}. These types
// are that shape; each product decides which events it turns into what.

// MessagingPayload is a Messenger Platform webhook body.
type MessagingPayload struct {
	Object string           `json:"object"`
	Entry  []MessagingEntry `json:"entry"`
}

// MessagingEntry is one page's (or Instagram account's) batch of events.
type MessagingEntry struct {
	ID        string           `json:"id"`
	Time      int64            `json:"time"`
	Messaging []MessagingEvent `json:"messaging"`
}

// MessagingEvent is one entry of "messaging"; exactly one of Message,
// Delivery, Read, Postback is set for the events we read.
type MessagingEvent struct {
	Sender    Party     `json:"sender"`
	Recipient Party     `json:"recipient"`
	Timestamp int64     `json:"timestamp"`
	Message   *Message  `json:"message,omitempty"`
	Delivery  *Delivery `json:"delivery,omitempty"`
	Read      *Read     `json:"read,omitempty"`
	Postback  *Postback `json:"postback,omitempty"`
}

// Party is a sender or recipient (PSID, IGSID or page/account id).
type Party struct {
	ID string `json:"id"`
}

// Message is an inbound message or, with IsEcho, a copy of one we sent.
type Message struct {
	Mid      string `json:"mid"`
	Text     string `json:"text,omitempty"`
	IsEcho   bool   `json:"is_echo,omitempty"`
	Metadata string `json:"metadata,omitempty"`
}

// Delivery says messages were delivered: the listed mids, and everything
// sent before Watermark (ms).
type Delivery struct {
	Mids      []string `json:"mids,omitempty"`
	Watermark int64    `json:"watermark"`
}

// Read says messages were read: Messenger gives a Watermark (everything
// before it), Instagram's messaging_seen gives the Mid.
type Read struct {
	Watermark int64  `json:"watermark,omitempty"`
	Mid       string `json:"mid,omitempty"`
}

// Postback is a button tap; Messenger counts it as the user's interaction.
type Postback struct {
	Mid     string `json:"mid,omitempty"`
	Title   string `json:"title,omitempty"`
	Payload string `json:"payload,omitempty"`
}
