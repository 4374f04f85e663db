#!/usr/bin/python3
"""A real RTSP test camera on 127.0.0.1 (GstRtspServer), for tests and benchmarks.

Serves at rtsp://127.0.0.1:PORT/MOUNT either a video file looped forever (its H.264 stream as is,
or decoded and re-encoded with --transcode) or an encoded videotestsrc (--test). Run it with
/usr/bin/python3 (the interpreter that has gi). Never multicast: unicast only, bound to 127.0.0.1.

The file is read by a separate "producer" pipeline paced to the clock and looped with segment
seeks (seamless, timestamps keep rising), whose access units are pushed into the served media's
appsrc; so every client sees one continuous live stream, like a real camera.
"""
import argparse
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

H264_OUT = 'video/x-h264,stream-format=byte-stream,alignment=au'


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--mount', default='/cam')
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--file', help='video file to loop (H.264 unless --transcode)')
    src.add_argument('--test', action='store_true', help='encoded videotestsrc instead of a file')
    p.add_argument('--transcode', action='store_true', help='decode the file and encode H.264 at --width/--height/--fps')
    p.add_argument('--width', type=int, default=640)
    p.add_argument('--height', type=int, default=360)
    p.add_argument('--fps', type=int, default=15)
    p.add_argument('--bitrate', type=int, default=1500, help='kbit/s when encoding')
    p.add_argument('--user', help='require RTSP basic auth with this user')
    p.add_argument('--password', help='password for --user')
    return p.parse_args()


def encoder(args):
    gop = max(1, args.fps * 2)
    return (f'x264enc tune=zerolatency speed-preset=ultrafast bitrate={args.bitrate} key-int-max={gop} threads=1 '
            f'! video/x-h264,profile=constrained-baseline')


def raw_caps(args):
    return f'video/x-raw,format=I420,width={args.width},height={args.height},framerate={args.fps}/1'


class LoopingProducer:
    """Reads the file at its own speed, loops it without a gap and hands out H.264 access units."""

    def __init__(self, args):
        if args.transcode:
            middle = (f'decodebin ! videoconvert ! videoscale ! videorate ! {raw_caps(args)} ! {encoder(args)} '
                      f'! h264parse config-interval=-1')
        else:
            middle = 'parsebin ! h264parse config-interval=-1'
        desc = (f'filesrc location="{args.file}" ! {middle} ! {H264_OUT} '
                f'! appsink name=out sync=true emit-signals=true max-buffers=30 drop=false')
        self.pipeline = Gst.parse_launch(desc)
        self.appsrcs = []
        self.pipeline.get_by_name('out').connect('new-sample', self.on_sample)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message', self.on_message)
        self.first_seek_done = False

    def start(self):
        self.pipeline.set_state(Gst.State.PAUSED)
        self.pipeline.get_state(Gst.CLOCK_TIME_NONE)
        self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.SEGMENT, 0)
        self.pipeline.set_state(Gst.State.PLAYING)

    def on_message(self, _bus, msg):
        if msg.type == Gst.MessageType.SEGMENT_DONE:
            self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.SEGMENT, 0)
        elif msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(f'rtsp-server: producer error: {err.message} ({dbg})', file=sys.stderr, flush=True)
            sys.exit(2)

    def on_sample(self, sink):
        sample = sink.emit('pull-sample')
        buf = sample.get_buffer()
        for src in list(self.appsrcs):
            out = buf.copy()
            # The served appsrc stamps buffers with its own running time (do-timestamp).
            out.pts = Gst.CLOCK_TIME_NONE
            out.dts = Gst.CLOCK_TIME_NONE
            if src.emit('push-buffer', out) == Gst.FlowReturn.FLUSHING:
                self.appsrcs.remove(src)
        return Gst.FlowReturn.OK


def main():
    args = parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP)  # no multicast
    pay = 'rtph264pay name=pay0 pt=96 config-interval=1'
    producer = None
    if args.test:
        factory.set_launch(f'( videotestsrc is-live=true pattern=ball ! {raw_caps(args)} ! {encoder(args)} ! {pay} )')
    else:
        producer = LoopingProducer(args)
        factory.set_launch(f'( appsrc name=src is-live=true format=time do-timestamp=true caps="{H264_OUT}" '
                           f'! h264parse ! {pay} )')

        def on_configure(_factory, media):
            src = media.get_element().get_by_name('src')
            producer.appsrcs.append(src)

        factory.connect('media-configure', on_configure)
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, 'user')
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ''), token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        print(f'rtsp-server: cannot bind 127.0.0.1:{args.port}', file=sys.stderr, flush=True)
        sys.exit(1)
    if producer:
        producer.start()
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f'rtsp-server: ready rtsp://127.0.0.1:{args.port}{args.mount}', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
