/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The field numbers and enum values of Perfetto's trace format that
 * 'export --format perfetto-proto' (export_proto.c) writes, checked
 * against the .proto files of the Perfetto repository
 * (github.com/google/perfetto, protos/perfetto/trace/; the reference is
 * perfetto.dev/docs/reference/trace-packet-proto). Each group names its
 * message and the file that defines it. Only the numbers are here: the
 * encoding is ours (base/pbuf.h).
 */
#ifndef GODIAGCTL_CMD_PERFETTO_PROTO_H
#define GODIAGCTL_CMD_PERFETTO_PROTO_H

/* Trace (trace.proto): the file is this message, packets one after another. */
#define PF_TRACE_PACKET				1

/* TracePacket (trace_packet.proto) */
#define PF_PACKET_TIMESTAMP			8	/* uint64, ns */
#define PF_PACKET_TRACK_EVENT			11	/* TrackEvent */
#define PF_PACKET_TRACK_DESCRIPTOR		60	/* TrackDescriptor */
#define PF_PACKET_SEQUENCE_ID			10	/* trusted_packet_sequence_id */
#define PF_PACKET_INTERNED_DATA			12	/* InternedData */
#define PF_PACKET_SEQUENCE_FLAGS		13	/* enum SequenceFlags, below */
/* TracePacket.SequenceFlags */
#define PF_SEQ_INCREMENTAL_STATE_CLEARED	1
#define PF_SEQ_NEEDS_INCREMENTAL_STATE		2

/* TrackDescriptor (track_event/track_descriptor.proto) */
#define PF_TRACK_UUID				1	/* uint64 */
#define PF_TRACK_NAME				2	/* string */
#define PF_TRACK_PROCESS			3	/* ProcessDescriptor */
#define PF_TRACK_THREAD				4	/* ThreadDescriptor */
#define PF_TRACK_PARENT_UUID			5	/* uint64 */
#define PF_TRACK_CHILD_ORDERING			11	/* enum ChildTracksOrdering */
#define PF_TRACK_SIBLING_ORDER_RANK		12	/* int32 */
/* TrackDescriptor.ChildTracksOrdering: by sibling_order_rank */
#define PF_CHILD_ORDERING_EXPLICIT		3

/* ProcessDescriptor (track_event/process_descriptor.proto) */
#define PF_PROCESS_PID				1	/* int32 */
#define PF_PROCESS_NAME				6	/* string process_name */

/* ThreadDescriptor (track_event/thread_descriptor.proto) */
#define PF_THREAD_PID				1	/* int32 */
#define PF_THREAD_TID				2	/* int64 */

/* TrackEvent (track_event/track_event.proto) */
#define PF_EVENT_CATEGORY_IIDS			3	/* repeated uint64 */
#define PF_EVENT_DEBUG_ANNOTATIONS		4	/* repeated DebugAnnotation */
#define PF_EVENT_TYPE				9	/* enum Type, below */
#define PF_EVENT_NAME_IID			10	/* uint64 */
#define PF_EVENT_TRACK_UUID			11	/* uint64 */
#define PF_EVENT_NAME				23	/* string */
#define PF_EVENT_FLOW_IDS			47	/* repeated fixed64 */
#define PF_EVENT_TERMINATING_FLOW_IDS		48	/* repeated fixed64 */
/* TrackEvent.Type */
#define PF_TYPE_SLICE_BEGIN			1
#define PF_TYPE_SLICE_END			2
#define PF_TYPE_INSTANT				3

/* DebugAnnotation (track_event/debug_annotation.proto) */
#define PF_ANNOT_NAME_IID			1	/* uint64 */
#define PF_ANNOT_UINT_VALUE			3	/* uint64 */
#define PF_ANNOT_INT_VALUE			4	/* int64 */
#define PF_ANNOT_STRING_VALUE			6	/* string */
#define PF_ANNOT_STRING_VALUE_IID		17	/* uint64 */

/* InternedData (interned_data/interned_data.proto): each a repeated message */
#define PF_INTERNED_EVENT_CATEGORIES		1	/* EventCategory */
#define PF_INTERNED_EVENT_NAMES			2	/* EventName */
#define PF_INTERNED_ANNOTATION_NAMES		3	/* DebugAnnotationName */
#define PF_INTERNED_ANNOTATION_STRINGS		29	/* InternedString */
/*
 * EventCategory, EventName (track_event/track_event.proto),
 * DebugAnnotationName (track_event/debug_annotation.proto) and
 * InternedString (profiling/profile_common.proto) all have these two.
 */
#define PF_INTERNED_IID				1	/* uint64, from 1 */
#define PF_INTERNED_NAME			2	/* string (bytes in InternedString) */

#endif
