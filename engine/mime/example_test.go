package mime_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mailmold/mailmold/engine/mime"
)

func ExampleMessage_WriteTo() {
	m := &mime.Message{
		From:      mime.Address{Name: "Northwind", Email: "hello@northwind.example"},
		To:        mime.Address{Name: "Ünal", Email: "unal@example.com"},
		Subject:   "Hi\r\nBcc: victim@example.com",
		Date:      time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		MessageID: mime.NewMessageID("northwind.example", "welcome/42"),
		Text:      "Hello Ünal\n",
		HTML:      "<p>Hello Ünal</p>",
	}
	var b strings.Builder
	if _, err := m.WriteTo(&b); err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.WriteString(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	// Output:
	// From: "Northwind" <hello@northwind.example>
	// To: =?utf-8?b?w5xuYWw=?= <unal@example.com>
	// Subject: Hi Bcc: victim@example.com
	// Date: Tue, 24 Nov 2026 09:00:00 +0000
	// Message-ID: <dcce71b30f072e79bdc4c3c6d046305c@northwind.example>
	// MIME-Version: 1.0
	// Content-Type: multipart/alternative;
	//  boundary="mm=_2cd988ef72199f72"
	//
	// --mm=_2cd988ef72199f72
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Hello =C3=9Cnal
	//
	// --mm=_2cd988ef72199f72
	// Content-Type: text/html; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// <p>Hello =C3=9Cnal</p>
	// --mm=_2cd988ef72199f72--
}

func ExampleSanitizeHeaderValue() {
	fmt.Printf("%q\n", mime.SanitizeHeaderValue(" Hi\r\nBcc: victim@example.com\x00\t "))
	// Output: "Hi Bcc: victim@example.com"
}

func ExampleNewMessageID() {
	fmt.Println(mime.NewMessageID("example.com", "seed"))
	// Output: 19b25856e1c150ca834cffc8b59b23ad@example.com
}
