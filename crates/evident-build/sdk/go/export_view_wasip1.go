//go:build wasip1 && evident_view

package evident

// The exports of the state-view interface (one call per event).

//go:wasmexport evident:db/state-view@EVIDENT_WIT_VERSION#reduce
func exportReduce(arguments uint32) uint32 {
	beginCall()
	defer guard()
	// The arguments exceed 16 flat values, so they arrive as one record in memory:
	// state at 0, event at 28, parameters at 128.
	if registeredView == nil {
		return returnState(state{}, noView)
	}
	current := stateAt(arguments)
	event, f := eventAt(arguments + 28)
	if f != nil {
		return returnState(state{}, f)
	}
	parameters := parametersAt(word(arguments+128), word(arguments+132))
	return returnState(registeredView.reduce(current, &event, parameters))
}

//go:wasmexport cabi_post_evident:db/state-view@EVIDENT_WIT_VERSION#reduce
func postReduce(uint32) { endCall() }

//go:wasmexport evident:db/state-view@EVIDENT_WIT_VERSION#initialize
func exportInitialize(parameters, parametersLen uint32) uint32 {
	beginCall()
	defer guard()
	if registeredView == nil {
		return returnState(state{}, noView)
	}
	return returnState(registeredView.initialize(parametersAt(parameters, parametersLen)))
}

//go:wasmexport cabi_post_evident:db/state-view@EVIDENT_WIT_VERSION#initialize
func postInitialize(uint32) { endCall() }
