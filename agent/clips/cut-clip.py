#!/usr/bin/python3
"""
Cuts one clip out of recording segments without re-encoding; run by agent/clips/cut-clip.ts as a
child process so a corrupt file or a stuck element can only kill this process, never the agent.
Python + GStreamer introspection (python3-gi, a setup.sh dependency) because the cut needs pad
probes on buffer timestamps and key-frame flags, which neither gst-launch nor the Node binding offer.

Input (argv[1], JSON): {"segments": [{"path", "startMs"}], "fromMs", "toMs", "out", "container"}
Output (stdout, one JSON line): {"ok": true, "firstMs", "lastMs", "frames", "codec", "skipped": [...]}
                             or {"ok": false, "error": "..."} with exit code 1.

Pass 1 parses (never decodes) every segment: which are readable, the codec, and the key frames of the
first one. Pass 2 concatenates the readable segments through parsebin -> concat -> parser -> mp4mux and
keeps, in decode order, the buffers from the last key frame at or before fromMs up to the first
buffer past toMs: a decode-order prefix starting on a key frame is always decodable.
"""
import json
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
NONE = Gst.CLOCK_TIME_NONE
PARSERS = {
    "video/x-h264": "h264parse",
    "video/x-h265": "h265parse",
    "video/mpeg": "mpeg4videoparse",
    "image/jpeg": "jpegparse",
}


def buffer_time(buf):
    """Decode-order time of a buffer (DTS, else PTS) in ns, or None."""
    if buf.dts != NONE:
        return buf.dts
    if buf.pts != NONE:
        return buf.pts
    return None


def is_video(caps):
    return caps is not None and caps.get_size() > 0 and caps.get_structure(0).get_name().split("/")[0] in ("video", "image")


def run(pipeline, timeout_s):
    """Plays until EOS; returns an error message or None."""
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    msg = bus.timed_pop_filtered(int(timeout_s * Gst.SECOND), Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg is None:
        return "timed out"
    if msg.type == Gst.MessageType.ERROR:
        err, _debug = msg.parse_error()
        return err.message
    return None


def add_segment_branch(pipeline, path, on_video_pad):
    """filesrc ! parsebin; the video pad goes to on_video_pad, any other stream (audio) to a fakesink."""
    src = Gst.ElementFactory.make("filesrc")
    src.set_property("location", path)
    parse = Gst.ElementFactory.make("parsebin")
    pipeline.add(src)
    pipeline.add(parse)
    src.link(parse)

    def pad_added(_el, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        if is_video(caps) and on_video_pad(pad, caps):
            return
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    parse.connect("pad-added", pad_added)


def scan(path, want_keyframes, timeout_s):
    """Pass 1 for one segment: readable?, codec caps, key frame times relative to the first buffer."""
    pipeline = Gst.Pipeline()
    info = {"caps": None, "frames": 0, "keyframes": [], "base": None}
    taken = {"video": False}

    def on_video(pad, caps):
        if taken["video"]:
            return False
        taken["video"] = True
        info["caps"] = caps
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        pipeline.add(sink)
        sink.sync_state_with_parent()

        def probe(_pad, pinfo):
            buf = pinfo.get_buffer()
            t = buffer_time(buf)
            if t is None:
                return Gst.PadProbeReturn.OK
            if info["base"] is None:
                info["base"] = t
            info["frames"] += 1
            if want_keyframes and not buf.has_flags(Gst.BufferFlags.DELTA_UNIT):
                info["keyframes"].append(t - info["base"])
            return Gst.PadProbeReturn.OK

        pad.add_probe(Gst.PadProbeType.BUFFER, probe)
        pad.link(sink.get_static_pad("sink"))
        return True

    add_segment_branch(pipeline, path, on_video)
    err = run(pipeline, timeout_s)
    if err is None and info["frames"] == 0:
        err = "no video frames"
    return info, err


def main():
    req = json.loads(sys.argv[1])
    from_ms, to_ms = req["fromMs"], req["toMs"]
    deadline = time.monotonic() + float(req.get("timeoutS", 60))

    def remaining():
        # One budget for all passes: the parent kills this process shortly after it runs out anyway.
        return max(1.0, deadline - time.monotonic())

    segments = sorted(req["segments"], key=lambda s: s["startMs"])

    good, skipped, caps = [], [], None
    for i, seg in enumerate(segments):
        info, err = scan(seg["path"], not good, remaining())
        if err is not None:
            skipped.append({"path": seg["path"], "reason": err})
            continue
        if caps is None:
            caps = info["caps"]
        good.append((seg, info))
    if not good:
        raise RuntimeError("no readable segment: " + "; ".join(s["reason"] for s in skipped))

    first_seg, first_info = good[0]
    # Last key frame at or before fromMs in the first segment (its first frame is one: segments split on key frames).
    key_rel = first_info["keyframes"][0] if first_info["keyframes"] else 0
    for k in first_info["keyframes"]:
        if first_seg["startMs"] + k / 1e6 <= from_ms:
            key_rel = k

    codec = caps.get_structure(0).get_name()
    parser_name = PARSERS.get(codec)
    if parser_name is None:
        raise RuntimeError("unsupported codec for MP4 clips: " + codec)

    pipeline = Gst.Pipeline()
    concat = Gst.ElementFactory.make("concat")
    parser = Gst.ElementFactory.make(parser_name)
    mux = Gst.ElementFactory.make("mp4mux")
    mux.set_property("faststart", True)
    sink = Gst.ElementFactory.make("filesink")
    sink.set_property("location", req["out"])
    for el in (concat, parser, mux, sink):
        pipeline.add(el)
    concat.link(parser)
    parser.link(mux)
    mux.link(sink)

    def fill_pts(_pad, pinfo):
        # mp4mux needs a PTS on every buffer; MPEG-4 Part 2 with B-frames carries only DTS on some.
        buf = pinfo.get_buffer()
        if buf.pts == NONE and buf.dts != NONE:
            buf.pts = buf.dts
        return Gst.PadProbeReturn.OK

    parser.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, fill_pts)

    stats = {"frames": 0, "firstMs": None, "lastMs": None}
    for idx, (seg, _info) in enumerate(good):
        concat_pad = concat.request_pad_simple("sink_%u")
        state = {"base": None, "started": idx > 0, "done": False, "linked": False}

        def on_video(pad, _caps, seg=seg, idx=idx, state=state, concat_pad=concat_pad):
            if state["linked"]:
                return False
            state["linked"] = True

            def probe(_pad, pinfo):
                buf = pinfo.get_buffer()
                t = buffer_time(buf)
                if t is None:
                    return Gst.PadProbeReturn.OK
                if state["base"] is None:
                    state["base"] = t
                rel = t - state["base"]
                wall = seg["startMs"] + rel / 1e6
                if not state["started"]:
                    if rel < key_rel or buf.has_flags(Gst.BufferFlags.DELTA_UNIT):
                        return Gst.PadProbeReturn.DROP
                    state["started"] = True
                if state["done"] or wall > to_ms:
                    state["done"] = True
                    return Gst.PadProbeReturn.DROP
                stats["frames"] += 1
                if stats["firstMs"] is None:
                    stats["firstMs"] = wall
                stats["lastMs"] = wall
                return Gst.PadProbeReturn.OK

            pad.add_probe(Gst.PadProbeType.BUFFER, probe)
            pad.link(concat_pad)
            return True

        add_segment_branch(pipeline, seg["path"], on_video)

    err = run(pipeline, remaining())
    if err is not None:
        raise RuntimeError(err)
    if stats["frames"] == 0:
        raise RuntimeError("no frames in the requested range")
    print(json.dumps({"ok": True, "codec": codec, "skipped": skipped, **stats}))


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # one JSON line for the parent whatever went wrong
        print(json.dumps({"ok": False, "error": str(exc)}))
        sys.exit(1)
