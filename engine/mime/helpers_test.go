package mime_test

import stdmime "mime"

// mimeDecoder decodes RFC 2047 encoded-words with the standard library, independently of
// go-message.
type mimeDecoder struct{ stdmime.WordDecoder }
