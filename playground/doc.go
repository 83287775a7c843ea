// Package playground serves an interactive page for training small networks
// on two-dimensional and one-dimensional data sets, in the manner of
// TensorFlow Playground, with the engine of this module doing the work.
//
// Each page holds a session on the server. The session owns a network, its
// optimizer and its data; a goroutine trains it while the page is playing,
// and the page polls for frames: the losses, the weights and coarse heat
// maps of the output and of every neuron, computed here on a grid so that
// the browser only paints. Commands (play, step, configure, edit a weight,
// upload a CSV) are POST requests. The set-up lives in the page's query
// string (see Config), so a link reproduces it.
//
// A page that is open, even in a hidden tab, sends heartbeats, and its
// session is kept; a session ends only when its page has been silent for
// the idle timeout, or is closed. When one has ended anyway (the server
// restarted), the page says so until the reader rebuilds it from the link
// and the uploaded file, which the tab keeps.
//
// The server binds to loopback by default and is written for a single
// person on their own machine, but it is still defended: requests whose
// Host header is a name other than localhost are refused (DNS rebinding),
// state-changing requests from other origins are refused, uploads are
// capped, reading a request is bounded in time, and the number of sessions
// is bounded: a full server refuses a new page rather than take an open
// one's work.
package playground
