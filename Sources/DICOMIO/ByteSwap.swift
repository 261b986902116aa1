/// Reverses the byte order of each `unit`-byte word in place (PS3.5 §7.3).
public func swapBytes(_ b: inout [UInt8], unit: Int) {
    guard unit > 1 else { return }
    var i = 0
    let n = b.count - b.count % unit
    b.withUnsafeMutableBufferPointer { p in
        while i < n {
            var lo = i, hi = i + unit - 1
            while lo < hi { p.swapAt(lo, hi); lo += 1; hi -= 1 }
            i += unit
        }
    }
}
