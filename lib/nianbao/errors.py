"""The one root of nianbao's own errors.

Every error nianbao raises for a person to read is a NianbaoError: its message says, in Chinese,
what went wrong and where (the file, sheet, cell, field or step), and is shown as it is, never
with a traceback. The command line and the batch catch this one class; anything else is a fault
of nianbao's own and is reported with its traceback for a developer.
"""
from __future__ import annotations

import errno


class NianbaoError(Exception):
    """An error whose message, in Chinese, is all a person needs to see."""


def is_ours(name: str) -> bool:
    """Whether an error's class name (as a kernel reports a cell's error) is a NianbaoError's:
    its message then stands alone, without the class name in front."""
    found, todo = set(), [NianbaoError]
    while todo:
        for kind in todo.pop().__subclasses__():
            found.add(kind.__name__)
            todo.append(kind)
    return name == NianbaoError.__name__ or name in found


# What the operating system's errors mean, in the user's words: the same for reading and writing
# ("无法读取 x：…", "无法写入 x：…"). Python's own text for them (strerror) is English.
_REASONS = {
    errno.ENOENT: "文件或目录不存在", errno.ENOTDIR: "路径中有同名文件占用了目录的位置",
    errno.EISDIR: "是目录，不是文件", errno.EEXIST: "已有同名文件",
    errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接循环", errno.EIO: "输入输出错误（磁盘或网络存储故障）",
    errno.EMFILE: "同时打开的文件过多", errno.ENFILE: "同时打开的文件过多", errno.ENOMEM: "内存不足",
    errno.EBUSY: "文件或设备正忙", errno.ETXTBSY: "文件正被使用", errno.ENXIO: "设备不存在或未就绪",
    errno.EXDEV: "不能跨文件系统移动", errno.EADDRINUSE: "端口已被占用", errno.EADDRNOTAVAIL: "地址不可用",
}


def reason(error: OSError) -> str:
    """Why an operation on a file (or a port) failed, in Chinese: the system's error said in the
    user's words; one without a code is nianbao's own, its text already theirs."""
    if error.errno is None:
        return str(error.args[0]) if error.args else type(error).__name__
    return _REASONS.get(error.errno, f"系统错误 {errno.errorcode.get(error.errno, error.errno)}")
