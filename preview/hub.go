package preview

import "sync"

// hub fans rebuild notifications out to the connected event streams. It belongs to a
// Server, not to the package.
type hub struct {
	mu   sync.Mutex
	subs map[chan int64]bool
}

func newHub() *hub { return &hub{subs: map[chan int64]bool{}} }

func (h *hub) subscribe() chan int64 {
	ch := make(chan int64, 1)
	h.mu.Lock()
	h.subs[ch] = true
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan int64) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

// publish sends version to every subscriber, replacing an unread older version.
func (h *hub) publish(version int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- version:
		default:
			select {
			case <-ch:
			default:
			}
			ch <- version
		}
	}
}
