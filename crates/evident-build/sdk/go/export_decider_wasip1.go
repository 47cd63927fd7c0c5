//go:build wasip1 && evident_decider

package evident

import "unsafe"

// The export of the decider interface.

// decideArea is where decide writes its result<decision, error> (48 bytes, 8-aligned): the
// tag at 0 and the payload at 8. A decision is its events (list<event>: 8, 12) and its
// condition (option<append-condition>: tag at 16, the record at 24: the query's items at 24,
// 28 and after, an option<u64>, with its tag at 32 and the value at 40); an error is code (8,
// 12), message (16, 20) and details (option<list<u8>>: 24, 28, 32).
var decideArea [6]uint64

//go:wasmexport evident:db/decider@EVIDENT_WIT_VERSION#decide
func exportDecide(database, commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen,
	commandBytes, commandBytesLen, parameters, parametersLen uint32) uint32 {
	beginCall()
	defer guard()
	clear(decideArea[:])
	decision, refusal := Decision{}, noDecider
	if registeredDecider != nil {
		c := command(stateFlat(commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen,
			commandBytes, commandBytesLen))
		decision, refusal = registeredDecider.decide(hostDatabase{handle: database}, c, parametersAt(parameters, parametersLen))
	}
	// The borrow ends here: no read after this point.
	importDropDatabase(database)
	area := uint32(uintptr(unsafe.Pointer(&decideArea)))
	words := unsafe.Slice((*uint32)(unsafe.Pointer(&decideArea)), 12)
	if refusal != nil {
		words[0] = 1
		putString(words, 2, refusal.Code)
		putString(words, 4, refusal.Message)
		if refusal.Details != nil {
			words[6], words[7], words[8] = 1, keepBytes(refusal.Details), uint32(len(refusal.Details))
		}
		return area
	}
	words[2], words[3] = putEvents(decision.Events), uint32(len(decision.Events))
	if condition := decision.Condition; condition != nil {
		words[4] = 1
		words[6], words[7] = putQuery(condition.FailIfEventsMatch)
		if condition.After != 0 {
			words[8] = 1
			decideArea[5] = condition.After
		}
	}
	return area
}

//go:wasmexport cabi_post_evident:db/decider@EVIDENT_WIT_VERSION#decide
func postDecide(uint32) { endCall() }

// putQuery writes a query's items (16 bytes each: types, tags) for the host and returns their
// address and count.
func putQuery(query Query) (uint32, uint32) {
	if len(query.Items) == 0 {
		return 0, 0
	}
	items, address := keepWords(4 * len(query.Items))
	for i, item := range query.Items {
		if len(item.Types) > 0 {
			types, typesAddress := keepWords(2 * len(item.Types))
			for j, t := range item.Types {
				putString(types, 2*j, t)
			}
			items[4*i], items[4*i+1] = typesAddress, uint32(len(item.Types))
		}
		if len(item.Tags) > 0 {
			tags, tagsAddress := keepWords(4 * len(item.Tags))
			for j, tag := range item.Tags {
				putString(tags, 4*j, tag.Name)
				putString(tags, 4*j+2, tag.Value)
			}
			items[4*i+2], items[4*i+3] = tagsAddress, uint32(len(item.Tags))
		}
	}
	return address, uint32(len(query.Items))
}
