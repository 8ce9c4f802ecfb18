/**
 * Wire constants of the trickle protocol (go-livepeer `trickle/`), shared by the server, publisher and subscriber.
 * Header names are lower-case because Node lower-cases incoming header names; HTTP header names are case-insensitive.
 */

/** Sequence number of the segment a response is about (the effective seq when -1/-2 was requested). */
export const TRICKLE_SEQ_HEADER = 'lp-trickle-seq';
/** The channel's next write seq; on 470 it tells a subscriber where to jump. */
export const TRICKLE_LATEST_HEADER = 'lp-trickle-latest';
/** Present (value `terminated`) when the channel has been closed: end of stream. */
export const TRICKLE_CLOSED_HEADER = 'lp-trickle-closed';
/** On a POST (any value): close every older segment so readers of a dead publisher are released. */
export const TRICKLE_RESET_HEADER = 'lp-trickle-reset';
/** On `POST /{ch}`: the MIME type of a channel to create. */
export const TRICKLE_EXPECT_CONTENT_HEADER = 'expect-content';

/** Value of `Lp-Trickle-Closed` for a closed channel. */
export const TRICKLE_CLOSED_VALUE = 'terminated';

/** Status for a seq that is not (or no longer) in the channel's ring. */
export const TRICKLE_STATUS_SEQ_NONEXISTENT = 470;

/** Request seq meaning "the next segment to be written". */
export const TRICKLE_SEQ_NEXT = -1;
/** Request seq meaning "the segment most recently started". */
export const TRICKLE_SEQ_CURRENT = -2;

/** Where go-livepeer's orchestrator mounts the trickle server. */
export const TRICKLE_DEFAULT_PREFIX = '/ai/trickle/';
