package batch

import "io"

// lineWriter gathers JSONL records into large writes and keeps, for the records it holds,
// where each ends and its segment, so a record is counted as rendered only once a write
// carrying all of it succeeded.
type lineWriter struct {
	w    io.Writer
	size int // flush when this many bytes are held
	buf  []byte
	ends []int
	segs []string
}

// add queues one record and flushes when the buffer is full.
func (l *lineWriter) add(rec []byte, segment string, st *Stats) error {
	l.buf = append(l.buf, rec...)
	l.ends = append(l.ends, len(l.buf))
	l.segs = append(l.segs, segment)
	if len(l.buf) < l.size {
		return nil
	}
	return l.flush(st)
}

// flush writes what is held: the records the write took in full count as rendered, the
// others (after a failed or short write) as unwritten.
func (l *lineWriter) flush(st *Stats) error {
	if len(l.buf) == 0 {
		return nil
	}
	n, err := l.w.Write(l.buf)
	if err == nil && n < len(l.buf) {
		err = io.ErrShortWrite
	}
	for i, end := range l.ends {
		if end > n {
			st.Unwritten += len(l.ends) - i
			break
		}
		st.Rendered++
		st.Segments[l.segs[i]]++
	}
	l.buf, l.ends, l.segs = l.buf[:0], l.ends[:0], l.segs[:0]
	return err
}
