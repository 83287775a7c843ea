// Package env is a set of classic-control environments with Gymnasium's
// exact dynamics.
package env
