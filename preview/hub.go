package preview

import "sync"

// event is one notification for the open pages: "rebuild" when a new build is published
// (frames reload) and "check" when its diagnostics are ready.
type event struct {
	kind    string
	version int64
}

// hub fans events out to the connected event streams. It belongs to a Server, not to the
// package, so two servers in one process never see each other's rebuilds.
type hub struct {
	mu     sync.Mutex
	subs   map[chan event]struct{}
	done   chan struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan event]struct{}{}, done: make(chan struct{})} }

// subscribe returns a channel that receives every later event; a slow reader loses the
// oldest unread events, never the newest.
func (h *hub) subscribe() chan event {
	ch := make(chan event, 4)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan event) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

// publish sends ev to every subscriber without blocking.
func (h *hub) publish(ev event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		for {
			select {
			case ch <- ev:
			default:
				select {
				case <-ch: // drop the oldest and retry
				default:
				}
				continue
			}
			break
		}
	}
}

// close ends every stream (their handlers watch done); safe to call more than once.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
