import DICOMCore

/// Sequences and encapsulated Pixel Data: the item-level half of the decoder (PS3.5 §7.5, §A.4).
extension Parser {
    /// Reads items of a sequence until `end` or a Sequence Delimitation Item (PS3.5 §7.5).
    mutating func parseItems(into items: inout [DataSet], at pos: inout Int, end: Int?, depth: Int, charset: SpecificCharacterSet, seqTag: Tag) throws {
        if depth > options.maxDepth { throw error(.tooDeep, "sequences nested deeper than \(options.maxDepth) levels", pos, seqTag) }
        while true {
            if let end, pos >= end {
                if pos > end { throw error(.malformed, "item runs past the end of its sequence", pos, seqTag) }
                return
            }
            guard src.ensure(pos + 8) else {
                if end == nil && !src.ensure(pos + 1) {
                    note(
                        Diagnostic(
                            .warning, .missingDelimiter, "file ends before the Sequence Delimitation Item of \(seqTag)", offset: fileOffset(pos), tag: seqTag))
                    return
                }
                throw error(.truncated, "file ends inside sequence \(seqTag)", pos, seqTag)
            }
            let tag = Tag(u16(pos), u16(pos + 2))
            let len = u32(pos + 4)
            if tag == .sequenceDelimitationItem {
                pos += 8
                if end != nil {
                    note(Diagnostic(.warning, .strayDelimiter, "sequence delimiter in a defined-length sequence", offset: fileOffset(pos - 8), tag: seqTag))
                }
                return
            }
            guard tag == .item else {
                throw error(.malformed, "expected an item (FFFE,E000) in sequence \(seqTag), found \(tag)", pos, tag)
            }
            pos += 8
            var item = DataSet()
            item.itemOffset = fileOffset(pos - 8)
            if len == 0xFFFF_FFFF {
                let closed = try parseElements(into: &item, at: &pos, end: end, depth: depth, charset: charset)
                if !closed && end == nil { throw error(.truncated, "file ends inside an item of \(seqTag)", pos, seqTag) }
            } else {
                var itemEnd = pos + Int(len)
                if let end, itemEnd > end {
                    // Seen on real media (and pydicom's DICOMDIR-nooffset): stop the item where its sequence ends.
                    note(
                        Diagnostic(
                            .warning, .itemLength, "item length \(len) runs past the end of sequence \(seqTag); item cut at the sequence end",
                            offset: fileOffset(pos - 8), tag: seqTag))
                    itemEnd = end
                }
                guard src.ensure(itemEnd) else { throw error(.truncated, "file ends inside an item of \(seqTag) (length \(len))", pos - 8, seqTag) }
                let closed = try parseElements(into: &item, at: &pos, end: itemEnd, depth: depth, charset: charset)
                if closed { note(Diagnostic(.warning, .strayDelimiter, "item delimiter in a defined-length item", offset: fileOffset(pos - 8), tag: seqTag)) }
                pos = max(pos, itemEnd)
            }
            itemCount += 1
            if itemCount > options.maxItems {
                throw error(.tooLarge, "more than \(options.maxItems) sequence items: refused (a limit on memory)", pos, seqTag)
            }
            if let only = options.itemElements, only.sequence == seqTag {
                var kept = DataSet(item.filter { only.kept.contains($0.tag) }, characterSet: item.characterSet)
                kept.itemOffset = item.itemOffset
                item = kept
            }
            if depth == 1, let sink = options.itemSink, sink.sequence == seqTag {
                sink.take(item)
            } else {
                items.append(item)
            }
        }
    }

    /// Reads encapsulated Pixel Data: Basic Offset Table item, fragments, sequence delimiter (PS3.5 §A.4).
    mutating func parseFragments(at pos: inout Int, tag: Tag) throws -> PixelFragments {
        var frags = PixelFragments()
        var first = true
        while true {
            src.release(before: pos)
            guard src.ensure(pos + 8) else {
                if !src.ensure(pos + 1) {
                    // EOF exactly where the next item would start: only the delimiter is missing.
                    note(
                        Diagnostic(
                            .warning, .missingDelimiter, "file ends before the Sequence Delimitation Item of encapsulated Pixel Data", offset: fileOffset(pos),
                            tag: tag))
                    return frags
                }
                throw error(.truncated, "file ends inside encapsulated Pixel Data", pos, tag)
            }
            let t = Tag(u16(pos), u16(pos + 2))
            let len = Int(u32(pos + 4))
            pos += 8
            if t == .sequenceDelimitationItem { return frags }
            guard t == .item else { throw error(.malformed, "expected a fragment item in encapsulated Pixel Data, found \(t)", pos - 8, tag) }
            guard len != 0xFFFF_FFFF else { throw error(.malformed, "fragment with undefined length", pos - 8, tag) }
            guard src.has(pos, len), let bytes = src.take(pos, len) else {
                throw error(.truncated, "file ends inside a Pixel Data fragment (length \(len))", pos - 8, tag)
            }
            pos += len
            if first {
                first = false
                if len % 4 != 0 {
                    note(Diagnostic(.warning, .badOffsetTable, "Basic Offset Table length \(len) is not a multiple of 4", tag: tag))
                } else {
                    frags.basicOffsetTable = Swift.stride(from: 0, to: len, by: 4).map { le32(bytes, $0) }
                }
            } else {
                frags.fragments.append(bytes)
            }
        }
    }
}
